// The staff screen: cups per store (set / restock), low-stock warning, recent orders.
import { ApiError, getJson, patchJson, postJson, putJson, setBearer } from './api.js';
import { $, applyLanguage, h, sessionStore, setChildren, translateStatic } from './dom.js';
import { chooseLanguage, drinkName, formatTime, localeOf, normalizeLanguage, t } from './i18n.js';
import { storeFromSearch } from './session.js';
import { createSalesSection } from './sales.js';
import { shortOrderNumber, staffReasonKey, staffStatusKey } from './status.js';
import { itemsText, lowStockText, parseStockForm, RESTOCK_LIMITS, SET_LIMITS, stockRows } from './stock.js';
import { DEFAULT_SETTINGS, parseSettingsForm, readSettings, settingsPatch } from './store-settings.js';

/**
 * @import { CartLine } from './cart.js'
 * @import { Language } from './i18n.js'
 * @import { Limits, Stock } from './stock.js'
 * @import { SettingsForm, StoreSettings } from './store-settings.js'
 */
/**
 * An order from GET /stores/{storeId}/orders (only what this page reads).
 * @typedef {{ id: string, status: string, reason?: string, createdAt: string, items: CartLine[] }} StaffOrder
 */
/** @typedef {'off' | 'local' | 'entra'} AuthMode */
/**
 * @typedef {object} StaffState
 * @property {Language} lang
 * @property {string} store
 * @property {number} threshold
 * @property {Stock[]} stocks
 * @property {StaffOrder[]} orders
 * @property {unknown} menu GET /menu as it answered (itemsText accepts anything)
 * @property {string | undefined} refreshedAt
 * @property {boolean} offline
 * @property {AuthMode | undefined} auth from GET /kiosk/settings
 * @property {{ token: string, name: string } | undefined} signedIn
 * @property {{ key: string, detail: string } | undefined} authError
 * @property {StoreSettings | undefined} settings the store's settings as last read or saved (the base of the next patch)
 */

const REFRESH_MS = 5000;
const ORDERS_LIMIT = 50;
const TOKEN_KEY = 'unmanned-cafe.staffToken';

/** @type {StaffState} */
const state = {
  lang: chooseLanguage(window.location.search, navigator.languages ?? [navigator.language]),
  store: storeFromSearch(window.location.search),
  threshold: 5,
  stocks: [],
  orders: [],
  menu: [],
  refreshedAt: undefined,
  offline: false,
  auth: undefined, // 'off' | 'local' | 'entra', from GET /kiosk/settings
  signedIn: undefined, // { token, name }
  authError: undefined, // { key, detail }
  settings: undefined,
};
/**
 * @param {string} key
 * @param {Record<string, string | number>} [params]
 */
const tr = (key, params) => t(state.lang, key, params);

// ---- rendering -------------------------------------------------------------------------------------

function renderStatic() {
  translateStatic(tr);
  document.title = tr('staff.title');
  $('#orders-title').textContent = tr('staff.orders', { store: state.store });
  /** @type {HTMLAnchorElement} */ ($('#kiosk-link')).href = `/kiosk?store=${encodeURIComponent(state.store)}&lang=${state.lang}`;
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
  // Signed out, the page has read no stock: no warning about figures it does not have.
  const low = state.auth === 'off' || state.signedIn ? lowStockText(rows) : '';
  const text = low ? tr('staff.lowWarning', { stores: low }) : '';
  warning.hidden = !low;
  if (warning.textContent !== text) warning.textContent = text; // an alert is announced only when it changes

  const known = rows.map((row) => row.storeId);
  setChildren($('#known-stores'), ...known.map((storeId) => h('option', { value: storeId })));
  const select = /** @type {HTMLSelectElement} */ ($('#orders-store'));
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

// ---- sign-in ---------------------------------------------------------------------------------------

function renderSignIn() {
  const mode = state.auth;
  $('#auth-off').hidden = mode !== 'off';
  $('#signin-form').hidden = mode === undefined || mode === 'off' || state.signedIn !== undefined;
  /** @type {NodeListOf<HTMLElement>} */
  const localOnly = document.querySelectorAll('[data-local]');
  /** @type {NodeListOf<HTMLElement>} */
  const entraOnly = document.querySelectorAll('[data-entra]');
  for (const el of localOnly) el.hidden = mode !== 'local';
  for (const el of entraOnly) el.hidden = mode !== 'entra';
  $('#signed-in').hidden = !state.signedIn;
  $('#signed-in-as').textContent = state.signedIn ? tr('staff.signin.as', { name: state.signedIn.name }) : '';
  const error = state.authError ? tr(state.authError.key, { detail: state.authError.detail }) : '';
  if ($('#auth-error').textContent !== error) $('#auth-error').textContent = error;
}

/**
 * The name a token carries (display only: the server decides what the token may do).
 * @param {string} token
 * @returns {string}
 */
function nameOf(token) {
  try {
    // A token without a payload part fails to parse like any other broken one.
    /** @type {{ name?: string, preferred_username?: string, sub?: string }} */
    const payload = JSON.parse(atob((token.split('.')[1] ?? '').replace(/-/g, '+').replace(/_/g, '/')));
    return payload.name || payload.preferred_username || payload.sub || '?';
  } catch {
    return '?';
  }
}

/** @param {string | undefined} token */
function keepToken(token) {
  state.signedIn = token ? { token, name: nameOf(token) } : undefined;
  setBearer(token);
  try {
    const store = sessionStore();
    if (token) store?.setItem(TOKEN_KEY, token);
    else store?.removeItem(TOKEN_KEY);
  } catch {
    // not kept across reloads; fine
  }
}

/**
 * A form's failed request, in its result line: the server's words (with 401 or 403 named), or that the
 * server could not be reached; a refused sign-in also updates the sign-in box.
 * @param {HTMLElement} result
 * @param {unknown} error
 */
function showFailure(result, error) {
  result.classList.add('failed');
  const refusal = error instanceof ApiError && (error.status === 401 || error.status === 403) ? ` (${error.status})` : '';
  result.textContent = tr('staff.failed', { detail: error instanceof ApiError ? `${error.message}${refusal}` : tr('staff.offline') });
  onRefusal(error);
}

/**
 * A refusal from the API: 401 means the sign-in is gone (expired, or never there); 403 is a wrong store or role.
 * @param {unknown} error
 * @returns {boolean} whether it was one
 */
function onRefusal(error) {
  if (!(error instanceof ApiError)) return false;
  if (error.status === 401) {
    keepToken(undefined);
    state.authError = { key: 'staff.signin.needed', detail: error.message };
  } else if (error.status === 403) {
    state.authError = { key: 'staff.forbidden', detail: error.message };
  } else {
    return false;
  }
  renderSignIn();
  return true;
}

// The sales section reads the store, language and menu from this page's state.
const sales = createSalesSection({ store: () => state.store, lang: () => state.lang, menu: () => state.menu, onRefusal });

$('#signin-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const form = /** @type {HTMLFormElement} */ (event.currentTarget);
  const button = /** @type {HTMLButtonElement} */ ($('button[type=submit]', form));
  button.disabled = true;
  try {
    /** @type {string} */
    let token;
    if (state.auth === 'local') {
      const role = /** @type {HTMLSelectElement} */ (form.elements.namedItem('role')).value;
      const stores = /** @type {HTMLInputElement} */ (form.elements.namedItem('stores')).value.split(',').map((s) => s.trim()).filter(Boolean);
      ({ token } = /** @type {{ token: string }} */ (await postJson('/.auth/local/token', { roles: [role], stores })));
    } else {
      token = /** @type {HTMLInputElement} */ (form.elements.namedItem('token')).value.trim();
    }
    keepToken(token);
    state.authError = undefined;
    renderSignIn();
    void refresh();
  } catch (error) {
    state.authError = { key: 'staff.signin.failed', detail: error instanceof ApiError ? error.message : tr('staff.offline') };
    renderSignIn();
  } finally {
    button.disabled = false;
  }
});

$('#sign-out').addEventListener('click', () => {
  keepToken(undefined);
  state.authError = undefined;
  state.stocks = [];
  state.orders = [];
  sales.clear();
  renderAll();
  $('#signin-title').focus?.();
});

function renderAll() {
  renderSignIn();
  renderStatic();
  renderSettings();
  renderStock();
  renderOrders();
  renderMeta();
  sales.render();
}

// ---- data ------------------------------------------------------------------------------------------

let refreshing = false;
async function refresh() {
  if (refreshing) return;
  refreshing = true;
  try {
    if (state.auth === undefined || (state.auth !== 'off' && !state.signedIn)) return;
    const [stocks, orders] = await Promise.all([getJson('/inventories'), getJson(`/stores/${encodeURIComponent(state.store)}/orders?limit=${ORDERS_LIMIT}`)]);
    state.stocks = Array.isArray(stocks) ? /** @type {Stock[]} */ (stocks) : [];
    state.orders = Array.isArray(orders) ? /** @type {StaffOrder[]} */ (orders) : [];
    state.refreshedAt = new Date().toISOString();
    state.offline = false;
    if (state.authError?.key === 'staff.forbidden') state.authError = undefined;
    renderSignIn();
    renderStock();
    renderOrders();
    void sales.load();
  } catch (error) {
    if (!onRefusal(error)) state.offline = true;
  } finally {
    refreshing = false;
    renderMeta();
  }
}

async function loadOnce() {
  try {
    const settings = /** @type {{ lowStockCups?: unknown, auth?: unknown } | null | undefined} */ (await getJson('/kiosk/settings'));
    const lowStockCups = settings?.lowStockCups;
    if (typeof lowStockCups === 'number' && Number.isFinite(lowStockCups)) state.threshold = lowStockCups;
    const auth = settings?.auth;
    state.auth = auth === 'off' || auth === 'local' || auth === 'entra' ? auth : 'entra';
  } catch {
    // keep the default threshold; assume sign-in is needed
    state.auth = 'entra';
  }
  try {
    state.menu = await getJson('/menu');
  } catch {
    state.menu = [];
  }
  renderAll();
}

// ---- forms -----------------------------------------------------------------------------------------

/**
 * @param {HTMLFormElement} form
 * @param {Limits} limits
 * @param {(storeId: string, cups: number) => Promise<unknown>} send answers the stock as the API returned it
 * @param {string} doneKey
 */
function wireForm(form, limits, send, doneKey) {
  const result = $('.result', form);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const storeInput = /** @type {HTMLInputElement} */ (form.elements.namedItem('storeId'));
    const cupsInput = /** @type {HTMLInputElement} */ (form.elements.namedItem('cups'));
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
    const button = /** @type {HTMLButtonElement} */ ($('button[type=submit]', form));
    button.disabled = true;
    try {
      const stock = /** @type {Stock} */ (await send(parsed.storeId, parsed.cups));
      result.classList.add('done');
      result.textContent = tr(doneKey, { store: stock.storeId, cups: stock.cups, added: parsed.cups });
      const { storeId, cups, updatedAt, low, lowStockCups } = stock;
      state.stocks = [...state.stocks.filter((s) => s.storeId !== storeId), { storeId, cups, updatedAt, low, lowStockCups }];
      renderStock();
      void refresh();
    } catch (error) {
      showFailure(result, error);
    } finally {
      button.disabled = false;
    }
  });
}

wireForm(/** @type {HTMLFormElement} */ ($('#set-form')), SET_LIMITS, (storeId, cups) => putJson(`/inventories/${encodeURIComponent(storeId)}`, { cups }), 'staff.set.done');
wireForm(/** @type {HTMLFormElement} */ ($('#restock-form')), RESTOCK_LIMITS, (storeId, cups) => postJson(`/inventories/${encodeURIComponent(storeId)}/restock`, { cups }), 'staff.restock.done');

// ---- store settings --------------------------------------------------------------------------------

const settingsForm = /** @type {HTMLFormElement} */ ($('#settings-form'));
/** @type {Record<string, string>} the i18n key (after `staff.settings.`) naming each field where it differs */
const SETTING_LABELS = { open: 'ordering', unavailable: 'soldOut' };
/** @param {string} name */
const settingsInput = (name) => /** @type {HTMLInputElement} */ (settingsForm.elements.namedItem(name));

/** @returns {{ id: string, name: string, nameKo?: string }[]} the menu as GET /menu answered it */
function menuItems() {
  return Array.isArray(state.menu) ? state.menu.filter((item) => item && typeof item.id === 'string') : [];
}

/**
 * What the form holds now.
 * @returns {SettingsForm}
 */
function readSettingsForm() {
  /** @type {NodeListOf<HTMLInputElement>} */
  const soldOut = settingsForm.querySelectorAll('input[name=unavailable]:checked');
  /** @type {NodeListOf<HTMLInputElement>} */
  const brew = settingsForm.querySelectorAll('input[data-brew]');
  const open = /** @type {HTMLInputElement | null} */ (settingsForm.querySelector('input[name=open]:checked'));
  return {
    open: open ? open.value === 'true' : true,
    machines: settingsInput('machines').value,
    maxOrdersInFlight: settingsInput('maxOrdersInFlight').value,
    maxOpenOrdersPerCustomer: settingsInput('maxOpenOrdersPerCustomer').value,
    lowStockCups: settingsInput('lowStockCups').value,
    unavailable: [...soldOut].map((input) => input.value),
    brewSeconds: Object.fromEntries([...brew].map((input) => [/** @type {string} */ (input.dataset.brew), input.value])),
    timeZone: settingsInput('timeZone').value,
  };
}

/**
 * Draws the per-drink controls (sold out, brewing time) in the page's language, with the values given.
 * @param {{ unavailable: string[], brewSeconds: Record<string, string> }} values
 */
function drawDrinkControls(values) {
  const items = menuItems();
  setChildren(
    $('#settings-sold-out'),
    ...items.map((item) =>
      h('label', {}, h('input', { type: 'checkbox', name: 'unavailable', value: item.id, checked: values.unavailable.includes(item.id) }), ' ', h('span', {}, drinkName(item, state.lang))),
    ),
  );
  setChildren(
    $('#settings-brew'),
    ...items.map((item) =>
      h(
        'label',
        {},
        h('span', {}, tr('staff.settings.brewOf', { name: drinkName(item, state.lang) })),
        h('input', { type: 'number', inputmode: 'decimal', min: '0', max: '3600', step: 'any', 'data-brew': item.id, name: `brew-${item.id}`, value: values.brewSeconds[item.id] ?? '', 'aria-describedby': 'settings-hint' }),
      ),
    ),
  );
}

/** Puts the settings into the form (on load, on a store change, after a save). */
function fillSettingsForm() {
  const settings = state.settings;
  if (!settings) return;
  for (const input of /** @type {NodeListOf<HTMLInputElement>} */ (settingsForm.querySelectorAll('input[name=open]'))) input.checked = input.value === String(settings.open);
  for (const name of /** @type {const} */ (['machines', 'maxOrdersInFlight', 'maxOpenOrdersPerCustomer', 'lowStockCups'])) settingsInput(name).value = settings[name] === null ? '' : String(settings[name]);
  settingsInput('timeZone').value = settings.timeZone;
  drawDrinkControls({ unavailable: settings.unavailable, brewSeconds: Object.fromEntries(Object.entries(settings.brewSeconds).map(([id, s]) => [id, String(s)])) });
}

/** The title and the per-drink labels in the page's language; what is typed in the form stays. */
function renderSettings() {
  $('#settings-title').textContent = tr('staff.settings.title', { store: state.store });
  const current = readSettingsForm();
  drawDrinkControls(current);
}

/** Reads the chosen store's settings (public: no sign-in needed to see them) and fills the form. */
async function loadSettings() {
  try {
    state.settings = readSettings(await getJson(`/stores/${encodeURIComponent(state.store)}`));
    fillSettingsForm();
  } catch {
    // the form keeps what it has; saving shows the error
  }
}

settingsForm.addEventListener('submit', async (event) => {
  event.preventDefault();
  const result = $('.result', settingsForm);
  result.className = 'result';
  for (const input of /** @type {NodeListOf<HTMLInputElement>} */ (settingsForm.querySelectorAll('[aria-invalid]'))) input.removeAttribute('aria-invalid');
  const parsed = parseSettingsForm(readSettingsForm());
  if (!parsed.ok) {
    const input = settingsInput(parsed.field);
    input.setAttribute('aria-invalid', 'true');
    result.classList.add('failed');
    result.textContent = tr(parsed.key, parsed.params);
    input.focus();
    return;
  }
  const base = state.settings ?? DEFAULT_SETTINGS;
  // Only what changed: another member of staff may be changing other fields meanwhile.
  const patch = settingsPatch(base, parsed.settings);
  if (Object.keys(patch).length === 0) {
    result.textContent = tr('staff.settings.unchanged');
    return;
  }
  const button = /** @type {HTMLButtonElement} */ ($('button[type=submit]', settingsForm));
  button.disabled = true;
  try {
    state.settings = readSettings(await patchJson(`/stores/${encodeURIComponent(state.store)}`, patch));
    fillSettingsForm();
    result.classList.add('done');
    result.textContent = tr('staff.settings.saved', { fields: Object.keys(patch).map((field) => tr(`staff.settings.${SETTING_LABELS[field] ?? field}`)).join(', ') });
  } catch (error) {
    showFailure(result, error);
  } finally {
    button.disabled = false;
  }
});

// ---- wiring ----------------------------------------------------------------------------------------

/** @param {string} storeId */
function setStore(storeId) {
  if (!storeId || storeId === state.store) return;
  state.store = storeId;
  const url = new URL(window.location.href);
  url.searchParams.set('store', storeId);
  window.history.replaceState(null, '', url);
  state.orders = [];
  renderAll();
  void refresh();
  void loadSettings();
}

$('#orders-store').addEventListener('change', (event) => setStore(/** @type {HTMLSelectElement} */ (event.target).value));
/** @type {NodeListOf<HTMLElement>} */
const languageButtons = document.querySelectorAll('[data-lang]');
for (const button of languageButtons) {
  button.addEventListener('click', () => {
    const lang = normalizeLanguage(button.dataset.lang);
    if (!lang || lang === state.lang) return;
    state.lang = lang;
    applyLanguage(lang);
    renderAll();
  });
}
/** @type {NodeListOf<HTMLInputElement>} */
const storeInputs = document.querySelectorAll('input[name=storeId]');
for (const input of storeInputs) input.value = state.store;
/** @type {HTMLInputElement} */ (/** @type {HTMLFormElement} */ ($('#signin-form')).elements.namedItem('stores')).value = state.store;
try {
  const saved = sessionStore()?.getItem(TOKEN_KEY);
  if (saved) keepToken(saved);
} catch {
  // no saved sign-in
}

applyLanguage(state.lang);
renderAll();
void loadOnce().then(() => Promise.all([refresh(), loadSettings()]));
setInterval(() => void refresh(), REFRESH_MS);
