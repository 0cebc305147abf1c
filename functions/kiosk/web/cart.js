// The cart: a list of `{ menuItemId, quantity }` in the order drinks were first added. Every function
// returns a new cart and never changes the one it is given. Limits follow POST /orders (API.md).

/**
 * @typedef {{ menuItemId: string, quantity: number }} CartLine
 * @typedef {CartLine[]} Cart
 * @typedef {{ id: string, name: string, nameKo?: string, price: number, temperature?: string }} MenuItem
 * @typedef {CartLine & { item: MenuItem, lineTotal: number }} PricedLine
 */

export const MAX_QUANTITY = 20;
export const MAX_LINES = 20;

/** @returns {Cart} */
export const emptyCart = () => [];

/**
 * @param {Cart} cart
 * @param {string} menuItemId
 * @returns {number}
 */
export function quantityOf(cart, menuItemId) {
  return cart.find((line) => line.menuItemId === menuItemId)?.quantity ?? 0;
}

/**
 * Whether one more of the drink fits in one order.
 * @param {Cart} cart
 * @param {string} menuItemId
 * @returns {boolean}
 */
export function canAdd(cart, menuItemId) {
  const quantity = quantityOf(cart, menuItemId);
  if (quantity === 0) return cart.length < MAX_LINES;
  return quantity < MAX_QUANTITY;
}

/**
 * One more of the drink; the same cart when that would break an order limit.
 * @param {Cart} cart
 * @param {string} menuItemId
 * @returns {Cart}
 */
export function addItem(cart, menuItemId) {
  if (!canAdd(cart, menuItemId)) return cart;
  if (quantityOf(cart, menuItemId) === 0) return [...cart, { menuItemId, quantity: 1 }];
  return cart.map((line) => (line.menuItemId === menuItemId ? { ...line, quantity: line.quantity + 1 } : line));
}

/**
 * One less of the drink; the line goes when it reaches zero.
 * @param {Cart} cart
 * @param {string} menuItemId
 * @returns {Cart}
 */
export function removeItem(cart, menuItemId) {
  return cart
    .map((line) => (line.menuItemId === menuItemId ? { ...line, quantity: line.quantity - 1 } : line))
    .filter((line) => line.quantity > 0);
}

/**
 * @param {Cart} cart
 * @returns {number}
 */
export function cartCount(cart) {
  return cart.reduce((sum, line) => sum + line.quantity, 0);
}

/**
 * The cart's lines with their menu item and line total; drinks no longer on the menu are left out.
 * @param {Cart} cart
 * @param {readonly MenuItem[]} menu
 * @returns {PricedLine[]}
 */
export function cartLines(cart, menu) {
  const byId = new Map(menu.map((item) => [item.id, item]));
  return cart.flatMap((line) => {
    const item = byId.get(line.menuItemId);
    return item ? [{ menuItemId: line.menuItemId, quantity: line.quantity, item, lineTotal: item.price * line.quantity }] : [];
  });
}

/**
 * The total in won (integers, so no rounding).
 * @param {Cart} cart
 * @param {readonly MenuItem[]} menu
 * @returns {number}
 */
export function cartTotal(cart, menu) {
  return cartLines(cart, menu).reduce((sum, line) => sum + line.lineTotal, 0);
}

/**
 * Keeps only drinks that are on the menu, e.g. after the menu was reloaded.
 * @param {Cart} cart
 * @param {readonly MenuItem[]} menu
 * @returns {Cart}
 */
export function pruneCart(cart, menu) {
  const ids = new Set(menu.map((item) => item.id));
  return cart.filter((line) => ids.has(line.menuItemId));
}

/**
 * The body of POST /orders: exactly the contract's fields, nothing else (unknown fields are rejected).
 * @param {Cart} cart
 * @param {string} storeId
 * @param {string} customerId
 * @returns {{ storeId: string, customerId: string, items: CartLine[] }}
 */
export function toOrderBody(cart, storeId, customerId) {
  return {
    storeId,
    customerId,
    items: cart.filter((line) => line.quantity > 0).map(({ menuItemId, quantity }) => ({ menuItemId, quantity })),
  };
}
