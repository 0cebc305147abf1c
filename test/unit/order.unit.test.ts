import { describe, expect, it } from 'vitest';
import { PlaceOrderBody, cupsFor, deadlineOf, newOrder, orderPlaced, overdue, progress, recreate, requestCancel, type Order } from '../../functions/orders/order';
import { nextNudge } from '../../functions/orders/sweep';
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
    expect(progress(cancelled, brewed, later)).toEqual({ ignored: 'order is already cancelled', conflict: { from: 'cancelled', to: 'completed' } });
    expect(progress(cancelled, reserved, later).next).toBeUndefined();
  });

  it('ignores a refusal once cups were reserved, and flags it as a contradiction with both states', () => {
    const result = progress(order({ status: 'accepted' }), outOfStock, later);
    expect(result.next).toBeUndefined();
    expect(result.conflict).toEqual({ from: 'accepted', to: 'cancelled' });
  });

  it('does not flag a mere redelivery of a step already passed', () => {
    expect(progress(order({ status: 'completed' }), reserved, later).conflict).toBeUndefined();
    expect(progress(order({ status: 'brewing' }), brewing, later).conflict).toBeUndefined();
  });

  it('OrderPlaced for an order it has changes nothing', () => {
    expect(progress(order({ status: 'accepted' }), orderPlaced(order()), later)).toEqual({});
  });
});

describe('an order the orders table lost', () => {
  it('is rebuilt pending from its OrderPlaced, or from a reservation, which carries the same order', () => {
    const placed = orderPlaced(order());
    expect(recreate(placed)).toEqual(order());
    expect(recreate(reserved)).toMatchObject({ id: 'o1', status: 'pending', customerId: 'c-1', cups: 2, items: [{ menuItemId: 'americano', quantity: 2 }] });
  });
});

describe('cancelling an order', () => {
  const cancelledByBeverages = makeEvent('BrewingCancelled', { ...base, reason: 'timed-out' });

  it.each(['pending', 'accepted'] as const)('records a cancel request of a %s order and asks beverages', (status) => {
    const decision = requestCancel(order({ status }), 'timed-out', later);
    expect(decision.outcome).toBe('requested');
    if (decision.outcome !== 'requested') return;
    expect(decision.next).toMatchObject({ status, cancel: { reason: 'timed-out', requestedAt: later.toISOString() } });
    expect(decision.emit).toMatchObject({ type: 'CancelRequested', id: 'o1.CancelRequested', reason: 'timed-out', customerId: 'c-1' });
  });

  it('refuses once brewing is known to have started, or the order is over', () => {
    expect(requestCancel(order({ status: 'brewing' }), 'customer-cancelled', later)).toEqual({ outcome: 'refused', because: 'brewing' });
    expect(requestCancel(order({ status: 'completed' }), 'customer-cancelled', later)).toEqual({ outcome: 'refused', because: 'final' });
    expect(requestCancel(order({ status: 'cancelled', reason: 'out-of-cups' }), 'customer-cancelled', later)).toEqual({ outcome: 'refused', because: 'final' });
  });

  it('answers a second request the same, whatever happened since', () => {
    const cancel = { reason: 'customer-cancelled', requestedAt: at.toISOString() };
    expect(requestCancel(order({ cancel }), 'customer-cancelled', later)).toEqual({ outcome: 'repeat' });
    expect(requestCancel(order({ status: 'completed', cancel: { ...cancel, tooLate: true } }), 'customer-cancelled', later)).toEqual({ outcome: 'repeat' });
  });

  it('cancels with the requested reason when beverages confirms, and re-announces on redelivery', () => {
    const asked = order({ status: 'accepted', cancel: { reason: 'timed-out', requestedAt: at.toISOString() } });
    const result = progress(asked, cancelledByBeverages, later);
    expect(result.next).toMatchObject({ status: 'cancelled', reason: 'timed-out' });
    expect(result.emit).toMatchObject({ type: 'OrderCancelled', id: 'o1.OrderCancelled', reason: 'timed-out' });
    expect(progress(result.next!, cancelledByBeverages, later)).toEqual({ emit: expect.objectContaining({ id: 'o1.OrderCancelled', reason: 'timed-out' }) });
  });

  it('a cancel that lost the race lets the order complete and tells the customer it came too late', () => {
    const asked = order({ status: 'accepted', cancel: { reason: 'customer-cancelled', requestedAt: at.toISOString() } });
    const started = progress(asked, brewing, later).next!;
    expect(started).toMatchObject({ status: 'brewing', cancel: { tooLate: true } });
    const done = progress(started, brewed, later);
    expect(done.next?.status).toBe('completed');
    expect(done.emit).toMatchObject({ type: 'OrderCompleted', lateCancel: true });
    expect(progress(order({ status: 'brewing' }), brewed, later).emit).not.toHaveProperty('lateCancel');
  });

  it('never cancels an order that is brewing', () => {
    expect(progress(order({ status: 'brewing' }), cancelledByBeverages, later)).toMatchObject({ conflict: { from: 'brewing', to: 'cancelled' } });
  });
});

describe('the order deadline', () => {
  const deadline = 900;
  const after = (seconds: number) => new Date(at.getTime() + seconds * 1000);

  it('cancels an order not brewing by its deadline, and only then', () => {
    expect(deadlineOf(order(), deadline)).toEqual(after(900));
    expect(overdue(order(), after(899), deadline)).toBeUndefined();
    expect(overdue(order(), after(900), deadline)).toBe('cancel');
    expect(overdue(order({ status: 'accepted' }), after(901), deadline)).toBe('cancel');
  });

  it('reports a brewing order as stuck instead of cancelling it', () => {
    expect(overdue(order({ status: 'brewing' }), after(901), deadline)).toBe('stuck-brewing');
  });

  it('leaves a final order, or one whose cancel is already asked for, alone', () => {
    expect(overdue(order({ status: 'completed' }), after(5000), deadline)).toBeUndefined();
    expect(overdue(order({ cancel: { reason: 'timed-out', requestedAt: at.toISOString() } }), after(5000), deadline)).toBeUndefined();
  });

  it('the sweep backs off between nudges but never past the deadline', () => {
    expect(nextNudge(at, 30, 3)).toEqual(after(240));
    expect(nextNudge(at, 30, 3, after(100))).toEqual(after(100));
    expect(nextNudge(at, 30, 3, after(-1))).toEqual(after(240));
  });
});
