import { describe, expect, it } from 'vitest';
import { PlaceOrderBody, cupsFor, newOrder, orderPlaced, progress, type Order } from '../../functions/orders/order';
import { makeEvent } from '../../shared/events';

const at = new Date('2026-11-25T10:00:00.000Z');
const later = new Date('2026-11-25T10:00:05.000Z');

function order(overrides: Partial<Order> = {}): Order {
  return { ...newOrder('o1', { storeId: 'main', customerId: 'c-1', items: [{ menuItemId: 'americano', quantity: 2 }] }, at), ...overrides };
}

const base = { orderId: 'o1', storeId: 'main', occurredAt: later.toISOString() };
const reserved = makeEvent('CupsReserved', { ...base, customerId: 'c-1', items: [{ menuItemId: 'americano', quantity: 2 }], cups: 2 });
const outOfStock = makeEvent('CupsOutOfStock', { ...base, cups: 2, available: 1 });
const brewing = makeEvent('BrewingStarted', { ...base, readyAt: later.toISOString() });
const brewed = makeEvent('BeverageCompleted', base);

describe('placing an order', () => {
  it('needs one cup per beverage', () => {
    expect(cupsFor([{ quantity: 2 }, { quantity: 3 }])).toBe(5);
  });

  it('starts pending with the cups computed by the server', () => {
    const o = order();
    expect(o).toMatchObject({ status: 'pending', cups: 2, storeId: 'main', createdAt: at.toISOString() });
    expect(orderPlaced(o)).toMatchObject({ type: 'OrderPlaced', id: 'o1.OrderPlaced', version: 1, cups: 2, storeId: 'main' });
  });

  it('defaults the store to main', () => {
    expect(PlaceOrderBody.parse({ customerId: 'c', items: [{ menuItemId: 'americano', quantity: 1 }] }).storeId).toBe('main');
  });

  it.each([
    ['a status set by the client', { customerId: 'c', status: 'completed', items: [{ menuItemId: 'americano', quantity: 1 }] }, 'status'],
    ['cups set by the client', { customerId: 'c', cups: 0, items: [{ menuItemId: 'americano', quantity: 1 }] }, 'cups'],
    ['an unknown field inside an item', { customerId: 'c', items: [{ menuItemId: 'americano', quantity: 1, price: 0 }] }, 'price'],
    ['a drink that is not on the menu', { customerId: 'c', items: [{ menuItemId: 'espresso-martini', quantity: 1 }] }, 'menuItemId'],
    ['a quantity of 0', { customerId: 'c', items: [{ menuItemId: 'americano', quantity: 0 }] }, 'quantity'],
    ['a quantity of 21', { customerId: 'c', items: [{ menuItemId: 'americano', quantity: 21 }] }, 'quantity'],
    ['a fractional quantity', { customerId: 'c', items: [{ menuItemId: 'americano', quantity: 1.5 }] }, 'quantity'],
    ['no items', { customerId: 'c', items: [] }, 'items'],
    ['21 items', { customerId: 'c', items: Array.from({ length: 21 }, () => ({ menuItemId: 'americano', quantity: 1 })) }, 'items'],
    ['an empty customer', { customerId: '', items: [{ menuItemId: 'americano', quantity: 1 }] }, 'customerId'],
    ['a bad store id', { storeId: 'Main Street', customerId: 'c', items: [{ menuItemId: 'americano', quantity: 1 }] }, 'storeId'],
  ])('rejects %s', (_, body, field) => {
    const result = PlaceOrderBody.safeParse(body);
    expect(result.success).toBe(false);
    expect(JSON.stringify(result.error?.issues)).toContain(field);
  });
});

describe('the order state machine', () => {
  it('moves pending to accepted when cups are reserved', () => {
    expect(progress(order(), reserved, later).next?.status).toBe('accepted');
  });

  it('cancels a pending order for lack of cups and announces it', () => {
    const result = progress(order(), outOfStock, later);
    expect(result.next).toMatchObject({ status: 'cancelled', reason: 'out-of-cups', updatedAt: later.toISOString() });
    expect(result.emit).toMatchObject({ type: 'OrderCancelled', id: 'o1.OrderCancelled', reason: 'out-of-cups', customerId: 'c-1' });
  });

  it('re-announces a cancellation when the refusal is delivered again, without changing the order', () => {
    const cancelled = order({ status: 'cancelled', reason: 'out-of-cups' });
    const result = progress(cancelled, outOfStock, later);
    expect(result.next).toBeUndefined();
    expect(result.emit?.id).toBe('o1.OrderCancelled');
  });

  it('completes a brewing order and announces it once per order id', () => {
    const result = progress(order({ status: 'brewing' }), brewed, later);
    expect(result.next?.status).toBe('completed');
    expect(result.emit).toMatchObject({ type: 'OrderCompleted', id: 'o1.OrderCompleted' });
    const again = progress(result.next!, brewed, later);
    expect(again.next).toBeUndefined();
    expect(again.emit?.id).toBe('o1.OrderCompleted');
  });

  it('tolerates skipped states: a pending order can complete directly', () => {
    expect(progress(order(), brewed, later).next?.status).toBe('completed');
  });

  it('never moves backwards', () => {
    expect(progress(order({ status: 'brewing' }), reserved, later)).toEqual({ ignored: 'order is already brewing' });
    expect(progress(order({ status: 'completed' }), brewing, later).next).toBeUndefined();
  });

  it('never revives a cancelled order', () => {
    const cancelled = order({ status: 'cancelled', reason: 'out-of-cups' });
    expect(progress(cancelled, brewed, later)).toEqual({ ignored: 'order was cancelled' });
    expect(progress(cancelled, reserved, later).next).toBeUndefined();
  });

  it('ignores a refusal once cups were reserved', () => {
    expect(progress(order({ status: 'accepted' }), outOfStock, later).next).toBeUndefined();
  });
});
