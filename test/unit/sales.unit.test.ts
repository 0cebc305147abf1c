import { describe, expect, it } from 'vitest';
import { salesReport } from '../../functions/sales/api';
import { applyEvent, applyEvents, contribution, localDate, NO_FIGURES, placedAt, withChanges, type OrderTally, type SalesEvent } from '../../functions/sales/sales';
import { makeEvent } from '../../shared/events';
import { newOrderId } from '../../shared/identifiers';

const at = '2026-11-25T10:00:00.000Z';
const base = (orderId = 'o1', occurredAt = at) => ({ orderId, storeId: 'main', occurredAt });
const placed = (orderId = 'o1', items = [{ menuItemId: 'americano', quantity: 2 }, { menuItemId: 'iced-tea', quantity: 1 }]) =>
  makeEvent('OrderPlaced', { ...base(orderId), customerId: 'c-1', items, cups: items.reduce((n, i) => n + i.quantity, 0) });
const completed = (orderId = 'o1') => makeEvent('OrderCompleted', { ...base(orderId, '2026-11-25T10:05:00.000Z'), customerId: 'c-1' });
const cancelled = (orderId = 'o1', reason = 'out-of-cups') => makeEvent('OrderCancelled', { ...base(orderId, '2026-11-25T10:01:00.000Z'), customerId: 'c-1', reason });

/** The day's figures after the orders' events, one order at a time, each event applied to the tally as it stands. */
function day(ordersEvents: SalesEvent[][]) {
  let figures = NO_FIGURES;
  for (const events of ordersEvents) {
    let tally: OrderTally | undefined;
    for (const event of events) {
      const after = applyEvent(tally, event);
      if (after) figures = withChanges(figures, [{ before: tally, after }]);
      tally = after ?? tally;
    }
  }
  return figures;
}

describe('the local date of a store', () => {
  it('is the calendar date in the store time zone, across midnight UTC', () => {
    // 15:30 UTC is already the next day in Seoul (UTC+9), still the same day in UTC and New York.
    const instant = new Date('2026-11-25T15:30:00.000Z');
    expect(localDate(instant, 'Asia/Seoul')).toBe('2026-11-26');
    expect(localDate(instant, 'UTC')).toBe('2026-11-25');
    expect(localDate(new Date('2026-11-26T03:00:00.000Z'), 'America/New_York')).toBe('2026-11-25');
    expect(localDate(new Date('2026-11-25T14:59:59.999Z'), 'Asia/Seoul')).toBe('2026-11-25');
  });

  it('comes from the time in the order id, so a completion seen first finds the day of the placing', () => {
    const orderId = newOrderId(new Date('2026-11-25T15:30:00.000Z'));
    // The completion happened hours later; the day is that of the placing all the same.
    const late = makeEvent('OrderCompleted', { orderId, storeId: 'main', occurredAt: '2026-11-26T20:00:00.000Z', customerId: 'c-1' });
    expect(localDate(placedAt(orderId, [late]), 'Asia/Seoul')).toBe('2026-11-26');
    expect(localDate(placedAt(orderId, [late]), 'UTC')).toBe('2026-11-25');
  });
});

describe('the sales figures of a day', () => {
  it('count a placed order, and its drinks and revenue once it is completed', () => {
    expect(day([[placed()]])).toEqual({ ...NO_FIGURES, placed: 1 });
    expect(day([[placed(), completed()]])).toEqual({
      placed: 1,
      completed: 1,
      cancelled: 0,
      cancelledByReason: {},
      drinks: { americano: 2, 'iced-tea': 1 },
      revenue: 2 * 4_500 + 4_000,
    });
  });

  it('count cancellations by reason, with no drinks or revenue', () => {
    const figures = day([
      [placed('a'), cancelled('a', 'out-of-cups')],
      [placed('b'), cancelled('b', 'out-of-cups')],
      [placed('c'), cancelled('c', 'customer-cancelled')],
      [placed('d'), completed('d')],
    ]);
    expect(figures).toMatchObject({ placed: 4, completed: 1, cancelled: 3, cancelledByReason: { 'out-of-cups': 2, 'customer-cancelled': 1 }, revenue: 13_000 });
  });

  it('change nothing when an event is delivered again', () => {
    const tally = applyEvents(undefined, [placed(), completed()])!;
    expect(applyEvent(tally, placed())).toBeUndefined();
    expect(applyEvent(tally, completed())).toBeUndefined();
    expect(applyEvents(tally, [placed(), completed(), placed()])).toBeUndefined();
    expect(day([[placed(), placed(), completed(), completed(), placed()]])).toEqual(day([[placed(), completed()]]));
  });

  it('are the same when the completion comes before the placement', () => {
    expect(day([[completed(), placed()]])).toEqual(day([[placed(), completed()]]));
    // Before the placement arrives, the completion counts without drinks (they are not known yet).
    expect(contribution(applyEvent(undefined, completed()))).toMatchObject({ placed: 0, completed: 1, drinks: {}, revenue: 0 });
  });

  it('keep the first outcome of an order', () => {
    const tally = applyEvents(undefined, [placed(), cancelled()])!;
    expect(applyEvent(tally, completed())).toBeUndefined();
    expect(day([[placed(), cancelled(), completed()]])).toMatchObject({ completed: 0, cancelled: 1, revenue: 0 });
  });

  it('keep the price an order was counted at: a tally carries its amount', () => {
    const tally = applyEvents(undefined, [placed('p', [{ menuItemId: 'cafe-latte', quantity: 3 }])])!;
    expect(tally).toEqual({ placed: true, drinks: { 'cafe-latte': 3 }, amount: 15_000 });
    expect(contribution({ ...tally, amount: 12_345, outcome: 'completed' }).revenue).toBe(12_345);
  });

  it('keep no customer id', () => {
    const tally = applyEvents(undefined, [placed(), completed()]);
    expect(JSON.stringify(tally)).not.toContain('c-1');
  });
});

describe('the sales report', () => {
  it('answers zeros for an empty day, with every menu item', () => {
    const report = salesReport('main', '2026-11-25', 'Asia/Seoul', NO_FIGURES);
    expect(report).toEqual({
      storeId: 'main',
      date: '2026-11-25',
      timeZone: 'Asia/Seoul',
      placed: 0,
      completed: 0,
      cancelled: { total: 0, byReason: {} },
      drinks: { americano: 0, 'iced-americano': 0, 'cafe-latte': 0, 'vanilla-latte': 0, 'iced-tea': 0 },
      revenue: 0,
      currency: 'KRW',
    });
  });
});
