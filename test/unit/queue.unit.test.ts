import { describe, expect, it } from 'vitest';
import { claim, occupies, planQueue, type QueueEntry } from '../../functions/beverages/queue';

const now = new Date('2026-11-25T10:00:00.000Z');
const at = (seconds: number) => new Date(now.getTime() + seconds * 1000).toISOString();

function entry(orderId: string, position: number, extra: Partial<QueueEntry> = {}): QueueEntry {
  return { key: `q_${String(position).padStart(3, '0')}`, orderId, storeId: 'main', customerId: 'c-1', items: [{ menuItemId: 'cafe-latte', quantity: 1 }], brewSeconds: 30, state: 'queued', ...extra };
}
const brewing = (orderId: string, position: number, readyInSeconds: number) =>
  entry(orderId, position, { state: 'brewing', startedAt: at(-10), readyAt: at(readyInSeconds) });

describe('the machine queue', () => {
  it('gives one free machine to the order queued first, whatever order the entries are read in', () => {
    const plan = planQueue([entry('second', 2), entry('first', 1)], 1, now);
    expect(plan.start.map((e) => e.orderId)).toEqual(['first']);
    expect(plan.start[0]).toMatchObject({ state: 'starting', startedAt: at(0), readyAt: at(30) });
  });

  it('starts nothing while every machine is busy, and the next order once one frees', () => {
    const busy = [brewing('a', 1, 5), brewing('b', 2, 20), entry('c', 3), entry('d', 4)];
    expect(planQueue(busy, 2, now).start).toEqual([]);
    const later = new Date(now.getTime() + 5_000);
    expect(planQueue(busy, 2, later).start.map((e) => e.orderId)).toEqual(['c']);
    expect(planQueue(busy, 2, later).finished.map((e) => e.orderId)).toEqual(['a']);
  });

  it('runs N orders at once on N machines', () => {
    const plan = planQueue([entry('a', 1), entry('b', 2), entry('c', 3), entry('d', 4)], 3, now);
    expect(plan.start.map((e) => e.orderId)).toEqual(['a', 'b', 'c']);
  });

  it('counts a claimed order whose start is unfinished as busy, and resumes it', () => {
    const claimed = claim(entry('a', 1), now);
    const plan = planQueue([claimed, entry('b', 2)], 1, now);
    expect(plan.start).toEqual([]);
    expect(plan.resume.map((e) => e.orderId)).toEqual(['a']);
    expect(occupies(claimed, now)).toBe(true);
  });

  it('keeps strict first in, first out: a short order never overtakes a waiting one', () => {
    const plan = planQueue([brewing('a', 1, 10), entry('b', 2), entry('c', 3, { brewSeconds: 5 })], 1, now);
    expect(plan.start).toEqual([]);
  });

  it('starts an order that takes no time without holding a machine', () => {
    const plan = planQueue([brewing('a', 1, 10), entry('b', 2, { brewSeconds: 0 })], 2, now);
    expect(plan.start.map((e) => e.orderId)).toEqual(['b']);
    const zero = planQueue([entry('x', 1, { brewSeconds: 0 }), entry('y', 2, { brewSeconds: 0 }), entry('z', 3)], 1, now);
    expect(zero.start.map((e) => e.orderId)).toEqual(['x', 'y', 'z']);
  });

  it('with machines lowered below the orders brewing, starts nothing until enough finish', () => {
    const entries = [brewing('a', 1, 10), brewing('b', 2, 20), brewing('c', 3, 30), entry('d', 4)];
    expect(planQueue(entries, 1, now).start).toEqual([]);
    expect(planQueue(entries, 1, new Date(now.getTime() + 20_000)).start).toEqual([]);
    expect(planQueue(entries, 1, new Date(now.getTime() + 30_000)).start.map((e) => e.orderId)).toEqual(['d']);
  });

  it('with machines raised or removed, starts as many waiting orders as now fit', () => {
    const entries = [brewing('a', 1, 10), entry('b', 2), entry('c', 3), entry('d', 4)];
    expect(planQueue(entries, 3, now).start.map((e) => e.orderId)).toEqual(['b', 'c']);
    expect(planQueue(entries, null, now).start.map((e) => e.orderId)).toEqual(['b', 'c', 'd']);
  });

  it('counts the orders left waiting, so the sweep knows which queues to look at again', () => {
    const entries = [brewing('a', 1, 10), entry('b', 2), entry('c', 3), entry('d', 4)];
    expect(planQueue(entries, 1, now).waiting).toBe(3);
    expect(planQueue(entries, 3, now).waiting).toBe(1);
    expect(planQueue(entries, null, now).waiting).toBe(0);
  });
});
