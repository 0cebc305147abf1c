// The staff page's pure logic: stock rows, low-stock warnings, form input, order lines.
import { drinkName } from './i18n.js';
import { isLowStock } from './status.js';

/** @import { Language } from './i18n.js' */
/** @typedef {{ min: number, max: number }} Limits */
/**
 * One store's stock from GET /inventories: `low` and `lowStockCups` are the server's, judged on the
 * store's own threshold.
 * @typedef {{ storeId: string, cups: number, updatedAt?: string, low?: boolean, lowStockCups?: number }} Stock
 */
/** @typedef {{ storeId: string, cups: number, updatedAt?: string, notSet: boolean, low: boolean, lowStockCups: number }} StockRow */
/**
 * @typedef {{ ok: true, storeId: string, cups: number }
 *   | { ok: false, field: 'storeId' | 'cups', key: string, params: Record<string, number> }} StockForm
 */

const STORE_ID = /^[a-z0-9-]{1,40}$/;
/** @type {Limits} */
export const SET_LIMITS = { min: 0, max: 1000000 }; // PUT /inventories/{storeId}
/** @type {Limits} */
export const RESTOCK_LIMITS = { min: 1, max: 1000000 }; // POST /inventories/{storeId}/restock

/**
 * Rows for the stock table from GET /inventories, sorted by store; `alsoShow` stores (e.g. the one the
 * page is about) appear with 0 cups and `notSet` when their stock was never set (API.md: that means 0).
 * Whether a store is low is the server's word (`low`, on the store's own threshold); `threshold`, the
 * app's default, only judges a store the server said nothing about (never set, or an older server).
 * @param {unknown} stocks the API's answer: a list of `Stock`s (anything else counts as none)
 * @param {number} threshold
 * @param {string[]} [alsoShow]
 * @returns {StockRow[]}
 */
export function stockRows(stocks, threshold, alsoShow = []) {
  /** @type {Map<string, StockRow>} */
  const rows = new Map();
  /** @type {Stock[]} */
  const list = Array.isArray(stocks) ? stocks : [];
  for (const s of list) {
    const lowStockCups = typeof s.lowStockCups === 'number' ? s.lowStockCups : threshold;
    const low = typeof s.low === 'boolean' ? s.low : isLowStock(s.cups, lowStockCups);
    rows.set(s.storeId, { storeId: s.storeId, cups: s.cups, updatedAt: s.updatedAt, notSet: false, low, lowStockCups });
  }
  for (const storeId of alsoShow) {
    if (storeId && !rows.has(storeId)) rows.set(storeId, { storeId, cups: 0, updatedAt: undefined, notSet: true, low: isLowStock(0, threshold), lowStockCups: threshold });
  }
  return [...rows.values()].sort((a, b) => a.storeId.localeCompare(b.storeId));
}

/**
 * `main (2), north (0)`: the stores the low-stock warning names.
 * @param {StockRow[]} rows
 * @returns {string}
 */
export function lowStockText(rows) {
  return rows.filter((row) => row.low).map((row) => `${row.storeId} (${row.cups})`).join(', ');
}

/**
 * Checks a set or restock form before sending it. Returns `{ ok: true, storeId, cups }` or
 * `{ ok: false, field: 'storeId' | 'cups', key, params }` (an i18n key for the message).
 * @param {unknown} storeIdText
 * @param {unknown} cupsText
 * @param {Limits} limits
 * @returns {StockForm}
 */
export function parseStockForm(storeIdText, cupsText, limits) {
  const storeId = String(storeIdText ?? '').trim();
  if (!STORE_ID.test(storeId)) return { ok: false, field: 'storeId', key: 'staff.invalidStore', params: {} };
  const text = String(cupsText ?? '').trim();
  const cups = /^\d{1,9}$/.test(text) ? Number(text) : NaN;
  if (!Number.isInteger(cups) || cups < limits.min || cups > limits.max) {
    return { ok: false, field: 'cups', key: 'staff.invalidCups', params: { min: limits.min, max: limits.max } };
  }
  return { ok: true, storeId, cups };
}

/**
 * `Americano ×2, Iced Tea ×1` in the language (menu ids we do not know are shown as they are).
 * @param {{ menuItemId: string, quantity: number }[] | undefined} items
 * @param {unknown} menu the API's menu: a list of `{ id, name, nameKo? }` (anything else counts as empty)
 * @param {Language} lang
 * @returns {string}
 */
export function itemsText(items, menu, lang) {
  /** @type {{ id: string, name: string, nameKo?: string }[]} */
  const drinks = Array.isArray(menu) ? menu : [];
  const byId = new Map(drinks.map((item) => [item.id, item]));
  return (Array.isArray(items) ? items : [])
    .map(({ menuItemId, quantity }) => `${byId.has(menuItemId) ? drinkName(byId.get(menuItemId), lang) : menuItemId} ×${quantity}`)
    .join(', ');
}
