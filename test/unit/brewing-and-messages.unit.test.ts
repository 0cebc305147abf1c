import { describe, expect, it } from 'vitest';
import { beverages, cancelledJob, finish, isReady, startBrewing, statusEvent } from '../../functions/beverages/brewing';
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

describe('a cancelled order at the brewer', () => {
  const tombstone = cancelledJob({ ...order, reason: 'timed-out' }, now);

  it('is a job that never brews and shows no beverage', () => {
    expect(tombstone.status).toBe('cancelled');
    expect(isReady(tombstone, new Date('2027-01-01T00:00:00.000Z'))).toBe(false);
    expect(finish(tombstone, now).status).toBe('cancelled');
    expect(beverages(tombstone)).toEqual([]);
  });

  it('each job state has one answer: started, completed or cancelled with its reason', () => {
    const job = startBrewing(order, now, 3);
    expect(statusEvent(job, now)).toMatchObject({ type: 'BrewingStarted', id: 'abc123.BrewingStarted', readyAt: job.readyAt });
    expect(statusEvent(finish(job, now), now)).toMatchObject({ type: 'BeverageCompleted', id: 'abc123.BeverageCompleted' });
    expect(statusEvent(tombstone, now)).toMatchObject({ type: 'BrewingCancelled', id: 'abc123.BrewingCancelled', reason: 'timed-out' });
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

  it('says in both languages that the order timed out, or was cancelled as asked', () => {
    const timedOut = notificationFor(makeEvent('OrderCancelled', { ...base, reason: 'timed-out' }));
    expect(timedOut).toMatchObject({ kind: 'order-cancelled', message: 'Sorry, your order 214D was cancelled: we could not start it in time.' });
    expect(timedOut.messageKo).toContain('제시간에');
    expect(notificationFor(makeEvent('OrderCancelled', { ...base, reason: 'customer-cancelled' })).message).toContain('you asked us to cancel it');
  });

  it('tells a customer whose cancel came too late that the order is ready anyway', () => {
    const n = notificationFor(makeEvent('OrderCompleted', { ...base, lateCancel: true }));
    expect(n.kind).toBe('order-completed');
    expect(n.message).toMatch(/cancel came too late.*214D.*ready/);
    expect(n.messageKo).toContain('취소 요청이 늦어');
  });

  it('invites the customer to pick up a completed order', () => {
    const n = notificationFor(makeEvent('OrderCompleted', base));
    expect(n).toMatchObject({ kind: 'order-completed', message: 'Your order 214D is ready. Please pick it up at the counter.' });
  });
});
