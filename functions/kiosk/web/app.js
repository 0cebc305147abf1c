// The customer's kiosk screen: menu → cart → POST /orders → follow the order in the kiosk read model.
import { ApiError, getJson, getJsonOr404, postJson } from './api.js';
import { addItem, canAdd, cartCount, cartLines, cartTotal, emptyCart, MAX_QUANTITY, pruneCart, quantityOf, removeItem, toOrderBody } from './cart.js';
import { $, applyLanguage, h, keepingFocus, sessionStore, setChildren, sleep, translateStatic } from './dom.js';
import { chooseLanguage, drinkName, formatWon, normalizeLanguage, t } from './i18n.js';
import { customerIdFor, newIdempotencyKey, storeFromSearch } from './session.js';
import { boardColumns, canCancel, isFinal, shortOrderNumber, statusView } from './status.js';
import { isSoldOut, readSettings, retryAfterSeconds } from './store-settings.js';

/**
 * @import { Cart, MenuItem } from './cart.js'
 * @import { Language } from './i18n.js'
 * @import { StoreSettings } from './store-settings.js'
 */
/**
 * A notification from GET /notifications.
 * @typedef {{ kind: string, message: string, messageKo?: string }} OrderNotification
 */
/**
 * An order as POST /orders and GET /kiosk/orders/{id} describe it (only what this page reads).
 * @typedef {{ id: string, status?: string, reason?: string }} OrderAnswer
 */
/**
 * `cancel`: where the customer's cancel stands: being asked, asked (202), too late (409), failed.
 * @typedef {{ id: string, status: string, reason?: string, notifications: OrderNotification[], cancel?: 'asking' | 'asked' | 'too-late' | 'failed' }} FollowedOrder
 */
/**
 * @typedef {object} KioskState
 * @property {Language} lang
 * @property {string} store
 * @property {string} customerId
 * @property {MenuItem[]} menu
 * @property {string | undefined} menuNote i18n key of the note above the menu
 * @property {Cart} cart
 * @property {string | undefined} cartMessage i18n key of the cart's alert line
 * @property {Record<string, number>} cartMessageParams values for its placeholders
 * @property {StoreSettings | undefined} storeSettings GET /stores/{store}; undefined until read (the server still refuses what it must)
 * @property {boolean} submitting
 * @property {string | undefined} idempotencyKey one per cart submission; kept across retries of the same cart
 * @property {FollowedOrder | undefined} order
 * @property {unknown[]} board the pickup board as GET /kiosk/orders answered
 */

const SECOND = 1000;
const POLL_MS = SECOND; // the order's status
const BOARD_MS = 3 * SECOND; // the pickup board
const MENU_RETRY_MS = 5 * SECOND;
const NOTIFICATION_WAIT_MS = 30 * SECOND; // after the final status, how long to wait for the notification
const FOLLOW_MAX_MS = 30 * 60 * SECOND; // give up following an order that never finishes
const CLEAR_AFTER_MS = 90 * SECOND; // a finished order leaves the screen by itself (or when the next customer starts a cart)
// Someone is already filling a cart: the finished order makes room for it sooner, keeping Place order on screen.
const CLEAR_WHILE_SHOPPING_MS = 10 * SECOND;
const STORE_MS = 10 * SECOND; // the store's settings: open or closed, sold-out drinks

/** @type {KioskState} */
const state = {
  lang: chooseLanguage(window.location.search, navigator.languages ?? [navigator.language]),
  store: storeFromSearch(window.location.search),
  customerId: customerIdFor(sessionStore(), window.crypto),
  menu: [],
  menuNote: 'menu.loading',
  cart: emptyCart(),
  cartMessage: undefined, // i18n key of the cart's alert line
  cartMessageParams: {},
  storeSettings: undefined,
  submitting: false,
  idempotencyKey: undefined, // one per cart submission; kept across retries of the same cart
  order: undefined, // { id, status, reason, notifications }
  board: [],
};
let following = 0; // increases for every order followed, so an old polling loop stops

/**
 * @param {string} key
 * @param {Record<string, string | number>} [params]
 */
const tr = (key, params) => t(state.lang, key, params);

// ---- rendering -------------------------------------------------------------------------------------

function renderStatic() {
  translateStatic(tr);
  document.title = tr('app.title');
  $('#store').textContent = tr('app.store', { store: state.store });
}

function renderMenu() {
  const note = $('#menu-note');
  note.hidden = !state.menuNote;
  if (state.menuNote) note.textContent = tr(state.menuNote);
  keepingFocus(() => {
    setChildren(
      $('#menu'),
      ...state.menu.map((item) => {
        const nameId = `drink-${item.id}-name`;
        const metaId = `drink-${item.id}-meta`;
        const soldOutId = `drink-${item.id}-sold-out`;
        const quantity = quantityOf(state.cart, item.id);
        const temperature = item.temperature === 'hot' || item.temperature === 'iced' ? item.temperature : undefined;
        const soldOut = isSoldOut(state.storeSettings, item.id);
        // A sold-out drink says so in its visible text and in its name ("Iced Tea Sold out").
        return h(
          'li',
          {},
          h(
            'button',
            // Named by its visible text (drink, sold out, temperature, price), so a voice command that says
            // what is on screen finds it (WCAG 2.5.3 label in name); the badge is left out of the name.
            {
              type: 'button',
              class: `drink ${temperature ?? ''}${soldOut ? ' sold-out' : ''}`,
              'data-id': item.id,
              'data-focus-key': `drink-${item.id}`,
              disabled: soldOut || !storeOpen(),
            },
            h('span', { id: nameId, class: 'drink-name' }, drinkName(item, state.lang)),
            soldOut ? h('span', { id: soldOutId, class: 'sold-out-label' }, tr('menu.soldOut')) : null,
            h('span', { id: metaId, class: 'drink-meta' }, temperature ? h('span', { class: `temp ${temperature}` }, tr(`menu.${temperature}`)) : null, ' ', h('span', { class: 'price' }, formatWon(item.price, state.lang))),
            quantity > 0 ? h('span', { class: 'badge', 'aria-hidden': 'true' }, `×${quantity}`) : null,
          ),
        );
      }),
    );
  });
}

function renderCart() {
  const lines = cartLines(state.cart, state.menu);
  const count = cartCount(state.cart);
  $('#cart-empty').hidden = lines.length > 0;
  keepingFocus(
    () => {
      setChildren(
        $('#cart-lines'),
        ...lines.map(({ menuItemId, quantity, item, lineTotal }) => {
          const name = drinkName(item, state.lang);
          return h(
            'li',
            { class: 'cart-line' },
            h('span', { class: 'line-name' }, name),
            h(
              'span',
              { class: 'qty' },
              h('button', { type: 'button', class: 'step', 'data-action': 'remove', 'data-id': menuItemId, 'data-focus-key': `remove-${menuItemId}`, 'aria-label': tr('cart.remove', { name }) }, '−'),
              h('span', { class: 'count' }, h('span', { class: 'visually-hidden' }, `${tr('cart.quantity')} `), String(quantity)),
              h('button', { type: 'button', class: 'step', 'data-action': 'add', 'data-id': menuItemId, 'data-focus-key': `add-${menuItemId}`, 'aria-label': tr('cart.add', { name }), disabled: !canAdd(state.cart, menuItemId) }, '+'),
            ),
            h('span', { class: 'line-total' }, formatWon(lineTotal, state.lang)),
          );
        }),
      );
    },
    $('#cart-title'),
  );
  const total = formatWon(cartTotal(state.cart, state.menu), state.lang);
  $('#cart-total').textContent = total;
  $('#cart-summary').textContent = count > 0 ? `${count === 1 ? tr('cart.count1') : tr('cart.count', { count })}, ${tr('cart.total')} ${total}` : '';
  const message = state.cartMessage ?? storeBlock();
  $('#cart-error').textContent = message ? tr(message, { max: MAX_QUANTITY, ...state.cartMessageParams }) : '';
  const busy = $('#cart-busy');
  busy.hidden = !state.submitting;
  busy.textContent = state.submitting ? tr('order.sending') : '';
  const place = /** @type {HTMLButtonElement} */ ($('#place-order'));
  place.disabled = count === 0 || state.submitting || storeBlock() !== undefined;
  place.setAttribute('aria-busy', String(state.submitting));
}

function renderTracker() {
  const order = state.order;
  const tracker = $('#tracker');
  // "idle" hides everything but the (empty) live region, which stays in the accessibility tree, so
  // the first status after un-hiding is announced; the status text itself is written a frame later.
  tracker.classList.toggle('idle', !order);
  if (!order) {
    tracker.removeAttribute('aria-labelledby'); // no empty "Your order" region between orders
    renderStatus(); // empties the live region now (a removal is not announced)
    return;
  }
  tracker.setAttribute('aria-labelledby', 'tracker-title');
  scheduleStatus();
  const view = statusView(order.status, order.reason);
  $('#order-number').textContent = shortOrderNumber(order.id);

  const help = $('#order-help');
  help.hidden = !view.helpKey;
  help.textContent = view.helpKey ? tr(view.helpKey) : '';

  const steps = $('#steps');
  steps.hidden = view.step < 0;
  /** @type {NodeListOf<HTMLElement>} */
  const stepItems = steps.querySelectorAll('[data-step]');
  for (const item of stepItems) {
    const step = Number(item.dataset.step);
    item.classList.toggle('done', step < view.step || (view.final && step === view.step));
    item.classList.toggle('current', step === view.step && !view.final);
    if (step === view.step) item.setAttribute('aria-current', 'step');
    else item.removeAttribute('aria-current');
  }

  $('#messages').hidden = order.notifications.length === 0;
  setChildren(
    $('#notifications'),
    ...order.notifications.map((note) =>
      h('li', { class: `notification ${note.kind === 'order-cancelled' ? 'cancelled' : 'ready'}`, lang: state.lang }, state.lang === 'ko' ? note.messageKo || note.message : note.message),
    ),
  );
  $('#new-order').hidden = !view.final;
  renderCancel(order);
}

let statusFrame = 0;

/** Writes the live region on the next animation frame, after the tracker it sits in has been shown. */
function scheduleStatus() {
  if (!statusFrame) statusFrame = requestAnimationFrame(renderStatus);
}

/** `#order-status` (role=status): the message, and `data-status` = the raw contract status; empty without an order. */
function renderStatus() {
  if (statusFrame) cancelAnimationFrame(statusFrame);
  statusFrame = 0;
  const status = $('#order-status');
  const order = state.order;
  if (!order) {
    status.removeAttribute('data-status');
    status.className = 'status';
    status.textContent = '';
    return;
  }
  const view = statusView(order.status, order.reason);
  const message = tr(view.messageKey);
  status.dataset.status = order.status;
  status.className = `status ${view.tone}`;
  if (status.textContent !== message) status.textContent = message; // unchanged text is not announced again
}

function renderBoard() {
  const { preparing, ready } = boardColumns(state.board);
  const tiles = (/** @type {{ number: string }[]} */ list) =>
    list.length === 0
      ? [h('li', { class: 'tile empty' }, tr('board.none'))]
      : list.map((tile) => {
          // The board carries codes only; this screen knows its own order, so it can mark its code.
          const mine = state.order !== undefined && tile.number === shortOrderNumber(state.order.id);
          return h('li', { class: `tile${mine ? ' mine' : ''}` }, tile.number, mine ? h('span', { class: 'visually-hidden' }, ` (${tr('board.yours')})`) : null);
        });
  setChildren($('#board-preparing'), tiles(preparing));
  setChildren($('#board-ready'), tiles(ready));
}

// ---- store settings: closed store, sold-out drinks -------------------------------------------------

const storeOpen = () => state.storeSettings?.open !== false;

/**
 * Why the cart cannot be ordered as it is (an i18n key), or undefined.
 * @returns {string | undefined}
 */
function storeBlock() {
  if (!storeOpen()) return 'store.closed';
  if (state.cart.some((line) => isSoldOut(state.storeSettings, line.menuItemId))) return 'cart.soldOut';
  return undefined;
}

/** `#store-state` (a polite live region, not role=status: the order tracker is the page's one status): says the store is closed; empty while it is open. */
function renderStore() {
  const text = storeOpen() ? '' : tr('store.closed');
  const line = $('#store-state');
  if (line.textContent !== text) line.textContent = text;
}

let storeBusy = false;
async function loadStoreSettings() {
  if (storeBusy) return;
  storeBusy = true;
  try {
    state.storeSettings = readSettings(await getJson(`/stores/${encodeURIComponent(state.store)}`));
    renderStore();
    renderMenu();
    renderCart();
  } catch {
    // keep the last settings (none: the server still refuses what it must)
  } finally {
    storeBusy = false;
  }
}

/**
 * The cart's line for a refused order: a closed store, a sold-out drink, a busy store (with when to retry).
 * @param {ApiError} error
 * @returns {string} i18n key
 */
function refusalMessage(error) {
  state.cartMessageParams = {};
  if (error.kind === 'store-closed' || error.kind === 'item-unavailable') {
    void loadStoreSettings(); // the kiosk learns the change now, not at the next poll
    return error.kind === 'store-closed' ? 'store.closed' : 'cart.soldOut';
  }
  if (error.status === 429) {
    const seconds = retryAfterSeconds(error.retryAfter);
    if (seconds === undefined) return 'order.busyNow';
    state.cartMessageParams = { seconds };
    return 'order.busy';
  }
  return 'order.failed';
}

function renderAll() {
  renderStatic();
  renderStore();
  renderMenu();
  renderCart();
  renderTracker();
  renderBoard();
}

// ---- actions ---------------------------------------------------------------------------------------

/**
 * @param {Cart} next
 * @param {boolean} refused
 */
function changeCart(next, refused) {
  if (next !== state.cart) state.idempotencyKey = undefined; // a different cart is a different order
  state.cartMessage = refused ? 'cart.full' : undefined;
  state.cartMessageParams = {};
  state.cart = next;
  // Someone is filling a cart while the last order's "Ready" / "Cancelled" is still up: that order is
  // over, so it makes room now (the cart and its Place order button stay in view). Focus stays put.
  if (cartCount(next) > 0 && state.order && isFinal(state.order.status)) newOrder({ keepFocus: true });
  renderMenu();
  renderCart();
}

/** @param {string} menuItemId */
function add(menuItemId) {
  changeCart(addItem(state.cart, menuItemId), !canAdd(state.cart, menuItemId));
}

async function placeOrder() {
  if (state.submitting || cartCount(state.cart) === 0) return;
  state.submitting = true;
  state.cartMessage = undefined;
  if (!state.idempotencyKey) state.idempotencyKey = newIdempotencyKey(window.crypto);
  renderCart();
  try {
    const order = /** @type {OrderAnswer} */ (await postJson('/orders', toOrderBody(state.cart, state.store, state.customerId), { 'Idempotency-Key': state.idempotencyKey }));
    state.cart = emptyCart();
    state.idempotencyKey = undefined;
    follow(order);
  } catch (error) {
    // The same key is sent again on the next tap, so a retry after a lost answer orders only once.
    state.cartMessage = error instanceof ApiError ? refusalMessage(error) : 'order.offline';
    if (error instanceof ApiError) console.warn('POST /orders refused', error.status, error.problem);
  } finally {
    state.submitting = false;
    renderMenu();
    renderCart();
  }
}

/**
 * Follows one order in the kiosk read model until it is final and its notification has arrived.
 * @param {OrderAnswer} order
 */
async function follow(order) {
  const token = ++following;
  // `state.order` stays this object while `token` is current: only another follow or newOrder replace
  // it, and both move `following` on, which ends this loop.
  /** @type {FollowedOrder} */
  const current = { id: order.id, status: order.status ?? 'pending', reason: order.reason, notifications: [] };
  state.order = current;
  renderTracker();
  renderBoard();
  $('#tracker-title').focus();
  void refreshBoard();

  const started = Date.now();
  let finalSince;
  while (token === following && Date.now() - started < FOLLOW_MAX_MS) {
    await sleep(POLL_MS);
    if (token !== following) return;
    try {
      if (!isFinal(current.status)) {
        const view = /** @type {OrderAnswer | undefined} */ (await getJsonOr404(`/kiosk/orders/${encodeURIComponent(current.id)}`)); // 404: not projected yet
        if (token !== following) return;
        if (view && (view.status !== current.status || view.reason !== current.reason)) {
          current.status = /** @type {string} */ (view.status); // the read model's views always have one
          current.reason = view.reason;
          renderTracker();
          void refreshBoard();
        }
      }
      if (isFinal(current.status)) {
        if (finalSince === undefined) finalSince = Date.now();
        const notes = await getJson(`/notifications?orderId=${encodeURIComponent(current.id)}`);
        if (token !== following) return;
        if (Array.isArray(notes) && notes.length !== current.notifications.length) {
          current.notifications = /** @type {OrderNotification[]} */ (notes);
          renderTracker();
        }
        if (current.notifications.length > 0 || Date.now() - finalSince > NOTIFICATION_WAIT_MS) {
          setTimeout(() => {
            if (token === following) newOrder({ keepFocus: !$('#tracker').contains(document.activeElement) });
          }, Math.max(0, (cartCount(state.cart) > 0 ? CLEAR_WHILE_SHOPPING_MS : CLEAR_AFTER_MS) - (Date.now() - finalSince)));
          return;
        }
      }
    } catch {
      // A lost answer or a busy server: ask again on the next tick.
    }
  }
}

/** @param {{ keepFocus?: boolean }} [options] */
function newOrder({ keepFocus = false } = {}) {
  following++;
  state.order = undefined;
  renderTracker();
  renderBoard();
  if (!keepFocus) $('#menu-title').focus();
}

let boardBusy = false;
async function refreshBoard() {
  if (boardBusy) return;
  boardBusy = true;
  try {
    const views = await getJson(`/kiosk/orders?storeId=${encodeURIComponent(state.store)}&limit=20`);
    if (Array.isArray(views)) {
      state.board = views;
      renderBoard();
    }
  } catch {
    // keep showing the last board
  } finally {
    boardBusy = false;
  }
}

async function loadMenu() {
  for (;;) {
    try {
      const menu = await getJson('/menu');
      if (Array.isArray(menu)) {
        state.menu = /** @type {MenuItem[]} */ (menu);
        state.menuNote = undefined;
        state.cart = pruneCart(state.cart, menu);
        renderMenu();
        renderCart();
        return;
      }
    } catch {
      // shown below; try again
    }
    state.menuNote = 'menu.failed';
    renderMenu();
    await sleep(MENU_RETRY_MS);
  }
}

/** @param {string | undefined} lang */
function setLanguage(lang) {
  const next = normalizeLanguage(lang);
  if (!next || next === state.lang) return;
  state.lang = next;
  applyLanguage(next);
  renderAll();
}

// ---- cancelling ------------------------------------------------------------------------------------

const CANCEL_NOTE = { asking: 'order.cancelling', asked: 'order.cancelling', 'too-late': 'order.cancelTooLate', failed: 'order.cancelFailed' };

/**
 * The "Cancel order" button, shown while the order can still be cancelled (nothing brewing yet), and
 * the outcome of asking. Once the order is final its status says how it ended.
 * @param {FollowedOrder} order
 */
function renderCancel(order) {
  const button = /** @type {HTMLButtonElement} */ ($('#cancel-order'));
  button.hidden = !canCancel(order.status) || order.cancel === 'asked' || order.cancel === 'too-late';
  button.disabled = order.cancel === 'asking';
  const note = $('#cancel-outcome');
  const key = isFinal(order.status) || !order.cancel ? undefined : CANCEL_NOTE[order.cancel];
  note.hidden = !key;
  note.textContent = key ? tr(key) : '';
}

/** POST /orders/{id}/cancel: 202 asked (the status then moves to cancelled), 409 too late. */
async function cancelOrder() {
  const order = state.order;
  if (!order || !canCancel(order.status) || order.cancel === 'asking') return;
  order.cancel = 'asking';
  renderTracker();
  try {
    await postJson(`/orders/${encodeURIComponent(order.id)}/cancel`, undefined);
    order.cancel = 'asked';
  } catch (error) {
    order.cancel = error instanceof ApiError && error.status === 409 ? 'too-late' : 'failed';
  }
  if (state.order === order) renderTracker();
}

// ---- wiring ----------------------------------------------------------------------------------------

// The buttons these handlers look for are the ones renderMenu and renderCart draw, all with `data-id`.
$('#menu').addEventListener('click', (event) => {
  /** @type {HTMLElement | null} */
  const button = event.target instanceof Element ? event.target.closest('button[data-id]') : null;
  if (button) add(/** @type {string} */ (button.dataset.id));
});
$('#cart-lines').addEventListener('click', (event) => {
  /** @type {HTMLElement | null} */
  const button = event.target instanceof Element ? event.target.closest('button[data-action]') : null;
  if (!button) return;
  const menuItemId = /** @type {string} */ (button.dataset.id);
  if (button.dataset.action === 'add') add(menuItemId);
  else changeCart(removeItem(state.cart, menuItemId), false);
});
$('#place-order').addEventListener('click', () => void placeOrder());
$('#new-order').addEventListener('click', () => newOrder());
$('#cancel-order').addEventListener('click', () => void cancelOrder());
/** @type {NodeListOf<HTMLElement>} */
const languageButtons = document.querySelectorAll('[data-lang]');
for (const button of languageButtons) button.addEventListener('click', () => setLanguage(button.dataset.lang));

applyLanguage(state.lang);
renderAll();
void loadMenu();
void refreshBoard();
setInterval(() => void refreshBoard(), BOARD_MS);
void loadStoreSettings();
setInterval(() => void loadStoreSettings(), STORE_MS);
