import { describe, expect, it } from 'vitest';
import { beverages, finish, isReady, startBrewing } from '../../functions/beverages/brewing';
import { notificationFor } from '../../functions/notifications/messages';
import { makeEvent } from '../../shared/events';

const now = new Date('2026-11-25T10:00:00.000Z');
const order = { orderId: 'abc123', storeId: 'main', customerId: 'c-2', items: [{ menuItemId: 'iced-tea', quantity: 1 }, { menuItemId: 'americano', quantity: 2 }] };

describe('brewing', () => {
  it('a job is ready once its brewing time has passed', () => {
    const job = startBrewing(order, now, 3);
    expect(job.readyAt).toBe('2026-11-25T10:00:03.000Z');
    expect(isReady(job, new Date('2026-11-25T10:00:02.999Z'))).toBe(false);
    expect(isReady(job, new Date('2026-11-25T10:00:03.000Z'))).toBe(true);
  });

  it('finishing twice keeps the first completion time', () => {
    const done = finish(startBrewing(order, now, 3), new Date('2026-11-25T10:00:04.000Z'));
    expect(finish(done, new Date('2026-11-25T10:00:09.000Z')).completedAt).toBe('2026-11-25T10:00:04.000Z');
    expect(isReady(done, new Date('2026-11-25T11:00:00.000Z'))).toBe(false);
  });

  it('lists one beverage per order line', () => {
    expect(beverages(startBrewing(order, now, 3)).map((b) => [b.id, b.menuItemId, b.quantity, b.status])).toEqual([
      ['abc123-1', 'iced-tea', 1, 'brewing'],
      ['abc123-2', 'americano', 2, 'brewing'],
    ]);
  });
});

describe('customer notifications', () => {
  const base = { orderId: '0mww4qn3500b83c2291b9214d', storeId: 'main', occurredAt: now.toISOString(), customerId: 'c-1' };

  it('says plainly that the store ran out of cups', () => {
    const n = notificationFor(makeEvent('OrderCancelled', { ...base, reason: 'out-of-cups' }));
    expect(n.kind).toBe('order-cancelled');
    expect(n.message).toBe('Sorry, your order 214D was cancelled: we are out of cups.');
    expect(n.messageKo).toContain('컵 재고가 부족합니다');
  });

  it('invites the customer to pick up a completed order', () => {
    const n = notificationFor(makeEvent('OrderCompleted', base));
    expect(n).toMatchObject({ kind: 'order-completed', message: 'Your order 214D is ready. Please pick it up at the counter.' });
  });
});
