// The staff screen: cups per store (set / restock), low-stock warning, recent orders.
import { ApiError, getJson, postJson, putJson } from './api.js';
import { $, applyLanguage, h, setChildren, translateStatic } from './dom.js';
import { chooseLanguage, formatTime, localeOf, normalizeLanguage, t } from './i18n.js';
import { storeFromSearch } from './session.js';
import { shortOrderNumber, staffReasonKey, staffStatusKey } from './status.js';
import { itemsText, lowStockText, parseStockForm, RESTOCK_LIMITS, SET_LIMITS, stockRows } from './stock.js';

const REFRESH_MS = 5000;
const ORDERS_LIMIT = 50;

const state = {
  lang: chooseLanguage(window.location.search, navigator.languages ?? [navigator.language]),
  store: storeFromSearch(window.location.search),
  threshold: 5,
  stocks: [],
  orders: [],
  menu: [],
  refreshedAt: undefined,
  offline: false,
};
const tr = (key, params) => t(state.lang, key, params);

// ---- rendering -------------------------------------------------------------------------------------

function renderStatic() {
  translateStatic(tr);
  document.title = tr('staff.title');
  $('#orders-title').textContent = tr('staff.orders', { store: state.store });
  $('#kiosk-link').href = `/kiosk?store=${encodeURIComponent(state.store)}&lang=${state.lang}`;
}

function renderStock() {
  const rows = stockRows(state.stocks, state.threshold, [state.store]);
  setChildren(
    $('#stock-rows'),
    ...rows.map((row) =>
      h(
        'tr',
        { class: row.low ? 'low' : '', 'data-store': row.storeId },
        h('th', { scope: 'row' }, row.storeId),
        h('td', { class: 'num cups', 'data-cups': row.cups }, String(row.cups)),
        h('td', {}, h('span', { class: `pill ${row.low ? 'low' : 'ok'}` }, tr(row.low ? 'staff.low' : 'staff.ok'))),
        h('td', {}, row.notSet ? tr('staff.notSet') : formatTime(row.updatedAt, state.lang)),
      ),
    ),
  );
  const warning = $('#low-warning');
  const low = lowStockText(rows);
  const text = low ? tr('staff.lowWarning', { stores: low, threshold: state.threshold }) : '';
  warning.hidden = !low;
  if (warning.textContent !== text) warning.textContent = text; // an alert is announced only when it changes

  const known = rows.map((row) => row.storeId);
  setChildren($('#known-stores'), ...known.map((storeId) => h('option', { value: storeId })));
  const select = $('#orders-store');
  if (select.options.length !== known.length || [...select.options].some((o, i) => o.value !== known[i])) {
    setChildren(select, ...known.map((storeId) => h('option', { value: storeId }, storeId)));
  }
  select.value = state.store;
}

function renderOrders() {
  const orders = state.orders;
  $('#no-orders').hidden = orders.length > 0;
  const cancelled = orders.filter((o) => o.status === 'cancelled').length;
  $('#cancel-count').textContent = cancelled > 0 ? tr('staff.orders.cancelled', { count: cancelled }) : '';
  setChildren(
    $('#order-rows'),
    ...orders.map((order) => {
      const reasonKey = staffReasonKey(order.reason);
      return h(
        'tr',
        { class: order.status === 'cancelled' ? 'cancelled' : '', 'data-order': order.id, 'data-status': order.status },
        h('td', {}, formatTime(order.createdAt, state.lang)),
        h('td', {}, h('strong', {}, shortOrderNumber(order.id))),
        h('td', {}, itemsText(order.items, state.menu, state.lang)),
        h('td', {}, h('span', { class: `pill ${order.status}` }, tr(staffStatusKey(order.status)))),
        h('td', { class: 'reason' }, reasonKey ? tr(reasonKey) : order.reason ?? ''),
      );
    }),
  );
}

function renderMeta() {
  $('#refreshed').textContent = state.offline ? tr('staff.offline') : state.refreshedAt ? tr('staff.refreshed', { time: formatTime(state.refreshedAt, state.lang) }) : '';
}

function renderAll() {
  renderStatic();
  renderStock();
  renderOrders();
  renderMeta();
}

// ---- data ------------------------------------------------------------------------------------------

let refreshing = false;
async function refresh() {
  if (refreshing) return;
  refreshing = true;
  try {
    const [stocks, orders] = await Promise.all([getJson('/inventories'), getJson(`/kiosk/orders?storeId=${encodeURIComponent(state.store)}&limit=${ORDERS_LIMIT}`)]);
    state.stocks = Array.isArray(stocks) ? stocks : [];
    state.orders = Array.isArray(orders) ? orders : [];
    state.refreshedAt = new Date().toISOString();
    state.offline = false;
    renderStock();
    renderOrders();
  } catch {
    state.offline = true;
  } finally {
    refreshing = false;
    renderMeta();
  }
}

async function loadOnce() {
  try {
    const settings = await getJson('/kiosk/settings');
    if (Number.isFinite(settings?.lowStockCups)) state.threshold = settings.lowStockCups;
  } catch {
    // keep the default threshold
  }
  try {
    state.menu = await getJson('/menu');
  } catch {
    state.menu = [];
  }
  renderAll();
}

// ---- forms -----------------------------------------------------------------------------------------

function wireForm(form, limits, send, doneKey) {
  const result = $('.result', form);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const storeInput = form.elements.namedItem('storeId');
    const cupsInput = form.elements.namedItem('cups');
    storeInput.removeAttribute('aria-invalid');
    cupsInput.removeAttribute('aria-invalid');
    result.className = 'result';
    const parsed = parseStockForm(storeInput.value, cupsInput.value, limits);
    if (!parsed.ok) {
      const input = parsed.field === 'storeId' ? storeInput : cupsInput;
      input.setAttribute('aria-invalid', 'true');
      result.classList.add('failed');
      const number = new Intl.NumberFormat(localeOf(state.lang));
      result.textContent = tr(parsed.key, Object.fromEntries(Object.entries(parsed.params).map(([k, v]) => [k, number.format(v)])));
      input.focus();
      return;
    }
    const button = $('button[type=submit]', form);
    button.disabled = true;
    try {
      const stock = await send(parsed.storeId, parsed.cups);
      result.classList.add('done');
      result.textContent = tr(doneKey, { store: stock.storeId, cups: stock.cups, added: parsed.cups });
      state.stocks = [...state.stocks.filter((s) => s.storeId !== stock.storeId), { storeId: stock.storeId, cups: stock.cups, updatedAt: stock.updatedAt }];
      renderStock();
      void refresh();
    } catch (error) {
      result.classList.add('failed');
      result.textContent = tr('staff.failed', { detail: error instanceof ApiError ? error.message : tr('staff.offline') });
    } finally {
      button.disabled = false;
    }
  });
}

wireForm($('#set-form'), SET_LIMITS, (storeId, cups) => putJson(`/inventories/${encodeURIComponent(storeId)}`, { cups }), 'staff.set.done');
wireForm($('#restock-form'), RESTOCK_LIMITS, (storeId, cups) => postJson(`/inventories/${encodeURIComponent(storeId)}/restock`, { cups }), 'staff.restock.done');

// ---- wiring ----------------------------------------------------------------------------------------

function setStore(storeId) {
  if (!storeId || storeId === state.store) return;
  state.store = storeId;
  const url = new URL(window.location.href);
  url.searchParams.set('store', storeId);
  window.history.replaceState(null, '', url);
  state.orders = [];
  renderAll();
  void refresh();
}

$('#orders-store').addEventListener('change', (event) => setStore(event.target.value));
for (const button of document.querySelectorAll('[data-lang]')) {
  button.addEventListener('click', () => {
    const lang = normalizeLanguage(button.dataset.lang);
    if (!lang || lang === state.lang) return;
    state.lang = lang;
    applyLanguage(lang);
    renderAll();
  });
}
for (const input of document.querySelectorAll('input[name=storeId]')) input.value = state.store;

applyLanguage(state.lang);
renderAll();
void loadOnce().then(refresh);
setInterval(() => void refresh(), REFRESH_MS);
