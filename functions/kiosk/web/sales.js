// The staff page's sales section: one store's local day (GET /stores/{storeId}/sales) as figures, a
// small bar chart of the drinks sold, and the same numbers as a table (the chart's text alternative).
import { ApiError, getJson } from './api.js';
import { $, h, setChildren } from './dom.js';
import { drinkName, formatWon, localeOf, t } from './i18n.js';
import { staffReasonKey } from './status.js';

/**
 * @import { Language } from './i18n.js'
 */
/**
 * The answer of GET /stores/{storeId}/sales (only what this page reads).
 * @typedef {object} SalesReport
 * @property {string} storeId
 * @property {string} date
 * @property {string} timeZone
 * @property {number} placed
 * @property {number} completed
 * @property {{ total: number, byReason: Record<string, number> }} cancelled
 * @property {Record<string, number>} drinks
 * @property {number} revenue
 */
/** @typedef {{ id: string, label: string, count: number, share: number }} Bar one drink's bar: `share` of the longest (0 to 1) */

const SVG = 'http://www.w3.org/2000/svg';

/**
 * Today's date where the browser is, as YYYY-MM-DD (the date picker's default).
 * @param {Date} [now]
 * @returns {string}
 */
export function todayLocal(now = new Date()) {
  const two = (/** @type {number} */ n) => String(n).padStart(2, '0');
  return `${now.getFullYear()}-${two(now.getMonth() + 1)}-${two(now.getDate())}`;
}

/**
 * The chart's bars: one per drink in menu order (drinks the menu no longer lists after them), each with
 * its share of the best seller.
 * @param {Record<string, number>} drinks
 * @param {unknown} menu GET /menu as it answered
 * @param {Language} lang
 * @returns {Bar[]}
 */
export function drinkBars(drinks, menu, lang) {
  /** @type {{ id: string, name: string, nameKo?: string }[]} */
  const items = Array.isArray(menu) ? menu.filter((m) => m && typeof m.id === 'string' && typeof m.name === 'string') : [];
  const ids = [...items.map((m) => m.id), ...Object.keys(drinks).filter((id) => !items.some((m) => m.id === id))];
  const most = Math.max(0, ...ids.map((id) => drinks[id] ?? 0));
  return ids.map((id) => {
    const count = drinks[id] ?? 0;
    return { id, label: drinkName(items.find((m) => m.id === id), lang) || id, count, share: most > 0 ? count / most : 0 };
  });
}

/**
 * What the chart shows, in one sentence for assistive technology: `Americano 2, Iced Tea 1`.
 * @param {Bar[]} bars
 * @param {Language} lang
 * @returns {string}
 */
export function barsSummary(bars, lang) {
  const number = new Intl.NumberFormat(localeOf(lang));
  return bars.filter((b) => b.count > 0).map((b) => `${b.label} ${number.format(b.count)}`).join(', ');
}

/**
 * An SVG element with attributes and children.
 * @param {string} tag
 * @param {Record<string, string | number>} attributes
 * @param {...(Node | string)} children
 * @returns {SVGElement}
 */
function svg(tag, attributes, ...children) {
  const element = /** @type {SVGElement} */ (document.createElementNS(SVG, tag));
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, String(value));
  for (const child of children) element.append(child);
  return element;
}

/**
 * Horizontal bars, one per drink: label, bar, count. Announced as one image whose name says it all.
 * @param {Bar[]} bars
 * @param {string} name
 * @returns {SVGElement}
 */
function barChart(bars, name) {
  const row = 28;
  const labelWidth = 130;
  const barWidth = 150;
  const chart = svg('svg', { class: 'sales-chart', role: 'img', viewBox: `0 0 ${labelWidth + barWidth + 50} ${bars.length * row}`, 'aria-labelledby': 'sales-chart-name' }, svg('title', { id: 'sales-chart-name' }, name));
  bars.forEach((bar, i) => {
    const y = i * row;
    chart.append(
      svg(
        'g',
        { 'data-drink': bar.id, 'data-count': bar.count },
        svg('text', { x: labelWidth - 8, y: y + row / 2, 'text-anchor': 'end', 'dominant-baseline': 'middle' }, bar.label),
        svg('rect', { x: labelWidth, y: y + 5, width: Math.max(bar.count > 0 ? 2 : 0, Math.round(bar.share * barWidth)), height: row - 10, rx: 3 }),
        svg('text', { x: labelWidth + Math.round(bar.share * barWidth) + 6, y: y + row / 2, 'dominant-baseline': 'middle' }, String(bar.count)),
      ),
    );
  });
  return chart;
}

/**
 * The section, wired to the page's state through getters (the page owns the store, language and sign-in).
 * @param {{ store: () => string, lang: () => Language, menu: () => unknown, onRefusal: (error: unknown) => boolean }} page
 */
export function createSalesSection(page) {
  const dateInput = /** @type {HTMLInputElement} */ ($('#sales-date'));
  dateInput.value = todayLocal();
  /** @type {SalesReport | undefined} */
  let report;
  /** @type {string} */
  let error = '';
  const tr = (/** @type {string} */ key, /** @type {Record<string, string | number>} */ params = {}) => t(page.lang(), key, params);

  function render() {
    const lang = page.lang();
    $('#sales-title').textContent = tr('staff.sales.title', { store: page.store() });
    const shown = report && report.storeId === page.store() && report.date === dateInput.value ? report : undefined;
    const failure = $('#sales-error');
    if (failure.textContent !== error) failure.textContent = error;
    const body = $('#sales-body');
    body.hidden = !shown;
    if (!shown) return;
    const number = new Intl.NumberFormat(localeOf(lang));
    const reasons = Object.entries(shown.cancelled.byReason).map(([reason, count]) => {
      const key = staffReasonKey(reason);
      return `${key ? tr(key) : reason} ${number.format(count)}`;
    });
    $('#sales-zone').textContent = tr('staff.sales.zone', { zone: shown.timeZone });
    setChildren(
      $('#sales-figures'),
      h('div', { 'data-figure': 'placed' }, h('dt', {}, tr('staff.sales.placed')), h('dd', {}, number.format(shown.placed))),
      h('div', { 'data-figure': 'completed' }, h('dt', {}, tr('staff.sales.completed')), h('dd', {}, number.format(shown.completed))),
      h('div', { 'data-figure': 'cancelled' }, h('dt', {}, tr('staff.sales.cancelled')), h('dd', {}, number.format(shown.cancelled.total), reasons.length > 0 ? h('span', { class: 'reasons' }, ` (${reasons.join(', ')})`) : '')),
      h('div', { 'data-figure': 'revenue' }, h('dt', {}, tr('staff.sales.revenue')), h('dd', {}, formatWon(shown.revenue, lang))),
    );
    const bars = drinkBars(shown.drinks, page.menu(), lang);
    const summary = barsSummary(bars, lang);
    const name = summary ? tr('staff.sales.chart', { date: shown.date, summary }) : tr('staff.sales.none', { date: shown.date });
    setChildren($('#sales-chart'), barChart(bars, name));
    setChildren(
      $('#sales-drinks'),
      ...bars.map((bar) => h('tr', { 'data-drink': bar.id }, h('th', { scope: 'row' }, bar.label), h('td', { class: 'num' }, number.format(bar.count)))),
    );
  }

  async function load() {
    const storeId = page.store();
    const date = dateInput.value;
    if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) return;
    try {
      const answer = /** @type {SalesReport} */ (await getJson(`/stores/${encodeURIComponent(storeId)}/sales?date=${date}`));
      // A newer choice of store or date made meanwhile wins.
      if (storeId !== page.store() || date !== dateInput.value) return;
      report = answer;
      error = '';
    } catch (failure) {
      if (page.onRefusal(failure)) return;
      error = tr('staff.sales.failed', { detail: failure instanceof ApiError ? failure.message : tr('staff.offline') });
    }
    render();
  }

  function clear() {
    report = undefined;
    error = '';
    render();
  }

  dateInput.addEventListener('change', () => {
    render();
    void load();
  });
  return { render, load, clear };
}
