import { describe, expect, it } from 'vitest';
import {
  addItem,
  canAdd,
  cartCount,
  cartLines,
  cartTotal,
  emptyCart,
  MAX_LINES,
  MAX_QUANTITY,
  pruneCart,
  quantityOf,
  removeItem,
  toOrderBody,
  type Cart,
} from '../../functions/kiosk/web/cart.js';
import { MENU } from '../../shared/menu';

const add = (cart: Cart, ...ids: string[]) => ids.reduce(addItem, cart);

describe('the kiosk cart', () => {
  it('adds drinks in the order first tapped and counts repeats', () => {
    const cart = add(emptyCart(), 'americano', 'iced-tea', 'americano');
    expect(cart).toEqual([
      { menuItemId: 'americano', quantity: 2 },
      { menuItemId: 'iced-tea', quantity: 1 },
    ]);
    expect(cartCount(cart)).toBe(3);
    expect(quantityOf(cart, 'americano')).toBe(2);
    expect(quantityOf(cart, 'cafe-latte')).toBe(0);
  });

  it('never changes the cart it is given', () => {
    const before = add(emptyCart(), 'americano');
    const snapshot = structuredClone(before);
    add(before, 'americano', 'iced-tea');
    removeItem(before, 'americano');
    expect(before).toEqual(snapshot);
  });

  it('removes one at a time and drops a line at zero', () => {
    let cart = add(emptyCart(), 'americano', 'americano', 'iced-tea');
    cart = removeItem(cart, 'americano');
    expect(cart).toEqual([
      { menuItemId: 'americano', quantity: 1 },
      { menuItemId: 'iced-tea', quantity: 1 },
    ]);
    cart = removeItem(cart, 'americano');
    expect(cart).toEqual([{ menuItemId: 'iced-tea', quantity: 1 }]);
    expect(removeItem(cart, 'not-there')).toEqual(cart);
  });

  it('totals in whole won from the menu prices', () => {
    // americano 4,500 ×2 + iced tea 4,000 + vanilla latte 5,500 = 18,500
    const cart = add(emptyCart(), 'americano', 'americano', 'iced-tea', 'vanilla-latte');
    expect(cartTotal(cart, MENU)).toBe(18_500);
    expect(cartLines(cart, MENU).map((l) => [l.menuItemId, l.lineTotal])).toEqual([
      ['americano', 9_000],
      ['iced-tea', 4_000],
      ['vanilla-latte', 5_500],
    ]);
    expect(cartTotal(emptyCart(), MENU)).toBe(0);
  });

  it('leaves out drinks that are not on the menu', () => {
    const cart: Cart = [
      { menuItemId: 'americano', quantity: 1 },
      { menuItemId: 'retired-drink', quantity: 3 },
    ];
    expect(cartTotal(cart, MENU)).toBe(4_500);
    expect(cartLines(cart, MENU)).toHaveLength(1);
    expect(pruneCart(cart, MENU)).toEqual([{ menuItemId: 'americano', quantity: 1 }]);
  });

  it('keeps to the order limits of POST /orders (quantity 1..20, 1..20 items)', () => {
    expect(MAX_QUANTITY).toBe(20);
    expect(MAX_LINES).toBe(20);
    let cart = emptyCart();
    for (let i = 0; i < 25; i++) cart = addItem(cart, 'americano');
    expect(quantityOf(cart, 'americano')).toBe(20);
    expect(canAdd(cart, 'americano')).toBe(false);
    expect(addItem(cart, 'americano')).toBe(cart);
    expect(canAdd(cart, 'iced-tea')).toBe(true);

    let wide = emptyCart();
    for (let i = 0; i < 21; i++) wide = addItem(wide, `drink-${i}`);
    expect(wide).toHaveLength(20);
    expect(canAdd(wide, 'drink-21')).toBe(false);
    expect(canAdd(wide, 'drink-0')).toBe(true);
  });

  it('makes exactly the contract body for POST /orders', () => {
    const cart = add(emptyCart(), 'cafe-latte', 'cafe-latte', 'cafe-latte');
    expect(toOrderBody(cart, 'main', 'kiosk-abc123')).toEqual({
      storeId: 'main',
      customerId: 'kiosk-abc123',
      items: [{ menuItemId: 'cafe-latte', quantity: 3 }],
    });
    // only the contract's fields, even if a line carries more (unknown fields are rejected by the API)
    const decorated = [{ menuItemId: 'iced-tea', quantity: 1, name: 'Iced Tea' }] as unknown as Cart;
    expect(toOrderBody(decorated, 'north', 'kiosk-1').items).toEqual([{ menuItemId: 'iced-tea', quantity: 1 }]);
  });
});
