import { describe, expect, it } from 'vitest';
import { NOT_LOW, announces, compensate, cupsSuffice, isLow, markLow, reserveInTurn, restocked, unannounced } from '../../functions/inventory/stock';

describe('cup stock decisions', () => {
  it('given 10 cups, an order of 11 is refused and takes nothing', () => {
    const { reservations, remaining } = reserveInTurn(10, [{ orderId: 'a', cups: 11 }]);
    expect(reservations).toEqual([{ orderId: 'a', outcome: 'out-of-stock', cups: 11, available: 10 }]);
    expect(remaining).toBe(10);
  });

  it('given 10 cups, an order of 1 takes one cup', () => {
    const { reservations, remaining } = reserveInTurn(10, [{ orderId: 'b', cups: 1 }]);
    expect(reservations[0]?.outcome).toBe('reserved');
    expect(remaining).toBe(9);
  });

  it('an order of exactly the free cups is served and leaves none', () => {
    expect(cupsSuffice(3, 3)).toBe(true);
    expect(reserveInTurn(3, [{ orderId: 'c', cups: 3 }]).remaining).toBe(0);
  });

  it('serves orders first come first served, letting a later smaller order fit', () => {
    const { reservations, remaining } = reserveInTurn(5, [
      { orderId: 'first', cups: 3 },
      { orderId: 'second', cups: 3 },
      { orderId: 'third', cups: 2 },
    ]);
    expect(reservations.map((r) => [r.orderId, r.outcome, r.available])).toEqual([
      ['first', 'reserved', 5],
      ['second', 'out-of-stock', 2],
      ['third', 'reserved', 2],
    ]);
    expect(remaining).toBe(0);
  });

  it('a store without stock refuses every order', () => {
    expect(reserveInTurn(0, [{ orderId: 'x', cups: 1 }]).reservations[0]?.outcome).toBe('out-of-stock');
  });

  it('restocking adds to the free cups', () => {
    expect(restocked(4, 6)).toBe(10);
  });
});

describe('compensating a cancelled order', () => {
  it('gives reserved cups back', () => {
    expect(compensate({ outcome: 'reserved', cups: 3 })).toEqual({ action: 'release', cups: 3 });
  });

  it('gives nothing back twice, nor for an order that never took cups', () => {
    expect(compensate({ outcome: 'released', cups: 3 })).toEqual({ action: 'none' });
    expect(compensate({ outcome: 'out-of-stock', cups: 3 })).toEqual({ action: 'none' });
    expect(compensate({ outcome: 'cancelled', cups: 0 })).toEqual({ action: 'none' });
  });

  it('closes an order not decided yet, so a late OrderPlaced takes nothing', () => {
    expect(compensate(undefined)).toEqual({ action: 'close' });
  });

  it('announces only reservation decisions, not a cancelled order', () => {
    expect(['reserved', 'out-of-stock', 'released', 'cancelled'].filter((d) => announces(d as never))).toEqual(['reserved', 'out-of-stock']);
  });
});

describe('crossing the low-stock threshold', () => {
  it('falling from above the threshold to it is one crossing, owed until announced', () => {
    const mark = markLow(NOT_LOW, 5, 5);
    expect(mark).toEqual({ low: true, crossings: 1, announced: 0 });
    expect(unannounced(mark)).toBe(1);
    expect(unannounced({ ...mark, announced: 1 })).toBeUndefined();
  });

  it('staying at or below the threshold takes no second crossing, however many writes follow', () => {
    let mark = markLow(NOT_LOW, 4, 5);
    for (const cups of [3, 2, 2, 0, 5]) mark = markLow(mark, cups, 5);
    expect(mark.crossings).toBe(1);
  });

  it('rising above the threshold re-arms it, and the next fall is the next crossing', () => {
    const low = { ...markLow(NOT_LOW, 2, 5), announced: 1 };
    const rearmed = markLow(low, 6, 5);
    expect(rearmed).toEqual({ low: false, crossings: 1, announced: 1 });
    expect(unannounced(rearmed)).toBeUndefined();
    expect(markLow(rearmed, 5, 5)).toEqual({ low: true, crossings: 2, announced: 1 });
  });

  it('a write that stays above the threshold changes nothing', () => {
    expect(markLow(NOT_LOW, 6, 5)).toBe(NOT_LOW);
  });

  it('a threshold of 0 is crossed only by running out', () => {
    expect(isLow(1, 0)).toBe(false);
    expect(markLow(NOT_LOW, 1, 0).crossings).toBe(0);
    expect(markLow(NOT_LOW, 0, 0).crossings).toBe(1);
  });

  it('of two crossings never announced, only the latest is owed', () => {
    const first = markLow(NOT_LOW, 1, 5);
    const second = markLow(markLow(first, 10, 5), 3, 5);
    expect(unannounced(second)).toBe(2);
  });
});
