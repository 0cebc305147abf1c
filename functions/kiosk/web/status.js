// From the contract's order statuses to what the screens say and how they look.
// Statuses: pending → accepted → brewing → completed, or → cancelled (reason e.g. `out-of-cups`).
// Clients must tolerate skipped intermediate states, so everything here goes by the status alone.

/** @typedef {'pending' | 'accepted' | 'brewing' | 'completed' | 'cancelled'} OrderStatus */
/**
 * What the customer sees for a status (see `statusView`).
 * @typedef {{ messageKey: string, helpKey?: string, tone: 'received' | 'preparing' | 'ready' | 'cancelled', step: number, final: boolean }} StatusView
 */
/**
 * A tile of the pickup board (GET /kiosk/orders), as the API sent it.
 * @typedef {{ code?: string, status?: string }} BoardView
 */

/** @type {OrderStatus[]} */
export const PREPARING = ['pending', 'accepted', 'brewing'];
/** @type {OrderStatus[]} */
export const FINAL = ['completed', 'cancelled'];
/** Statuses in which the customer may still cancel: nothing is brewing yet (an accepted order may be waiting for a machine). */
/** @type {OrderStatus[]} */
export const CANCELLABLE = ['pending', 'accepted'];

/**
 * Whether `value` is in `list`. Statuses and reasons come from the API, so any value may be asked about.
 * @param {readonly unknown[]} list
 * @param {unknown} value
 */
const isOneOf = (list, value) => list.includes(value);

/**
 * @param {string} status
 * @returns {boolean}
 */
export const isFinal = (status) => isOneOf(FINAL, status);

/**
 * Whether the order can still be cancelled by its customer (POST /orders/{id}/cancel would answer 202).
 * @param {string} status
 * @returns {boolean}
 */
export const canCancel = (status) => isOneOf(CANCELLABLE, status);

const KNOWN_REASONS = ['out-of-cups', 'timed-out', 'customer-cancelled'];

/**
 * The i18n key for a cancellation reason in plain words, or undefined for a reason we have no words for.
 * @param {string | undefined} reason
 * @returns {string | undefined}
 */
export function reasonKey(reason) {
  return isOneOf(KNOWN_REASONS, reason) ? `reason.${reason}` : undefined;
}

/**
 * What the customer sees for a status:
 * - `messageKey`: the main line (for a cancellation, the reason in plain words when we know it);
 * - `helpKey`: an optional second line;
 * - `tone`: `received` | `preparing` | `ready` | `cancelled` (a CSS class);
 * - `step`: 0 received, 1 preparing, 2 ready, -1 cancelled (the progress bar);
 * - `final`: whether to stop following the order.
 * @param {string} status
 * @param {string} [reason]
 * @returns {StatusView}
 */
export function statusView(status, reason) {
  switch (status) {
    case 'pending':
      return { messageKey: 'status.received', tone: 'received', step: 0, final: false };
    case 'accepted':
      return { messageKey: 'status.accepted', tone: 'preparing', step: 1, final: false };
    case 'brewing':
      return { messageKey: 'status.brewing', tone: 'preparing', step: 1, final: false };
    case 'completed':
      return { messageKey: 'status.ready', helpKey: 'status.help.ready', tone: 'ready', step: 2, final: true };
    case 'cancelled':
      return { messageKey: reasonKey(reason) ?? 'status.cancelled', helpKey: 'status.help.cancelled', tone: 'cancelled', step: -1, final: true };
    default:
      // A status added to the contract later: say we have the order, and keep following it.
      return { messageKey: 'status.received', tone: 'received', step: 0, final: false };
  }
}

/**
 * The number a customer reads on the pickup board: the order id's last four characters (as in the notifications).
 * @param {string | undefined} orderId
 * @returns {string}
 */
export function shortOrderNumber(orderId) {
  return String(orderId ?? '').slice(-4).toUpperCase();
}

/**
 * The pickup board from GET /kiosk/orders (newest first; each tile a pickup `code` and a status, no order
 * id): `preparing` in queue order (oldest first), `ready` newest first; cancelled orders are not shown.
 * At most `limit` per column.
 * @param {unknown} views the API's answer: a list of `BoardView`s (anything else is an empty board)
 * @param {number} [limit]
 * @returns {{ preparing: { number: string }[], ready: { number: string }[] }}
 */
export function boardColumns(views, limit = 12) {
  /** @type {BoardView[]} */
  const list = Array.isArray(views) ? views : [];
  const tile = (/** @type {BoardView} */ view) => ({ number: String(view.code ?? '') });
  const preparing = list.filter((v) => isOneOf(PREPARING, v.status)).reverse().slice(0, limit).map(tile);
  const ready = list.filter((v) => v.status === 'completed').slice(0, limit).map(tile);
  return { preparing, ready };
}

/**
 * Staff page: the word for a status, and for a reason (undefined when there is none).
 * @param {string} status
 * @returns {string}
 */
export const staffStatusKey = (status) => `staff.status.${status}`;
/**
 * @param {string | undefined} reason
 * @returns {string | undefined}
 */
export function staffReasonKey(reason) {
  if (!reason) return undefined;
  return KNOWN_REASONS.includes(reason) ? `staff.reason.${reason}` : undefined;
}

/**
 * Low stock: at or below the threshold from GET /kiosk/settings.
 * @param {number} cups
 * @param {number} threshold
 * @returns {boolean}
 */
export function isLowStock(cups, threshold) {
  return Number.isFinite(cups) && Number.isFinite(threshold) && cups <= threshold;
}
