// Types for cart.js (plain JS served to the browser as is), for the TypeScript tests.
export interface CartLine { menuItemId: string; quantity: number }
export type Cart = CartLine[];
export interface MenuItem { id: string; name: string; nameKo?: string; price: number; temperature?: string }
export const MAX_QUANTITY: number;
export const MAX_LINES: number;
export function emptyCart(): Cart;
export function quantityOf(cart: Cart, menuItemId: string): number;
export function canAdd(cart: Cart, menuItemId: string): boolean;
export function addItem(cart: Cart, menuItemId: string): Cart;
export function removeItem(cart: Cart, menuItemId: string): Cart;
export function cartCount(cart: Cart): number;
export function cartLines(cart: Cart, menu: readonly MenuItem[]): (CartLine & { item: MenuItem; lineTotal: number })[];
export function cartTotal(cart: Cart, menu: readonly MenuItem[]): number;
export function pruneCart(cart: Cart, menu: readonly MenuItem[]): Cart;
export function toOrderBody(cart: Cart, storeId: string, customerId: string): { storeId: string; customerId: string; items: CartLine[] };
