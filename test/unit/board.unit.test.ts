import { describe, expect, it } from 'vitest';
import { BOARD_SIZE, foldBoard, showing, type BoardTile } from '../../functions/kiosk/board';
import type { KioskEvent } from '../../functions/kiosk/projection';
import { tilesOf, toBoardRow } from '../../functions/kiosk/rows';
import { makeEvent } from '../../shared/events';
import { newOrderId } from '../../shared/identifiers';

const items = [{ menuItemId: 'americano', quantity: 1 }];
const minute = (m: number) => new Date(Date.UTC(2026, 10, 25, 10, m));
const iso = (m: number, s = 0) => new Date(minute(m).getTime() + s * 1000).toISOString();

/** An order placed at minute `m`, with its events at the seconds after. */
function order(m: number) {
  const orderId = newOrderId(minute(m));
  const envelope = (s: number) => ({ orderId, storeId: 'main', occurredAt: iso(m, s) });
  return {
    orderId,
    placed: makeEvent('OrderPlaced', { ...envelope(0), customerId: 'c-1', items, cups: 1 }),
    reserved: makeEvent('CupsReserved', { ...envelope(1), customerId: 'c-1', items, cups: 1 }),
    brewing: makeEvent('BrewingStarted', { ...envelope(2), readyAt: iso(m, 5) }),
    completed: makeEvent('OrderCompleted', { ...envelope(5), customerId: 'c-1' }),
    cancelled: makeEvent('OrderCancelled', { ...envelope(3), customerId: 'c-1', reason: 'out-of-cups' }),
  };
}

const fold = (events: KioskEvent[], tiles: BoardTile[] = []) => foldBoard(tiles, events) ?? tiles;

describe('the pickup board fold', () => {
  it('moves an order from pending through accepted and brewing (with its ready time) to completed', () => {
    const o = order(0);
    const pending = fold([o.placed]);
    expect(pending).toEqual([{ orderId: o.orderId, status: 'pending', updatedAt: iso(0, 0) }]);
    const accepted = fold([o.reserved], pending);
    expect(accepted).toEqual([{ orderId: o.orderId, status: 'accepted', updatedAt: iso(0, 1) }]);
    const brewing = fold([o.brewing], accepted);
    expect(brewing).toEqual([{ orderId: o.orderId, status: 'brewing', updatedAt: iso(0, 2), readyAt: iso(0, 5) }]);
    expect(fold([o.completed], brewing)).toEqual([{ orderId: o.orderId, status: 'completed', updatedAt: iso(0, 5), readyAt: iso(0, 5) }]);
    expect(fold([order(1).cancelled])).toEqual([expect.objectContaining({ status: 'cancelled', updatedAt: iso(1, 3) })]);
  });

  it('only moves forward: redelivered, duplicated and reordered events leave the same board', () => {
    const [a, b, c] = [order(0), order(1), order(2)];
    const inOrder = fold([a.placed, a.reserved, a.brewing, a.completed, b.placed, b.cancelled, c.placed, c.reserved]);
    const shuffled = fold([c.reserved, a.brewing, b.cancelled, a.completed, a.placed, c.placed, b.placed, a.reserved, a.completed, c.placed]);
    expect(shuffled).toEqual(inOrder);
    expect(inOrder.map((t) => t.status)).toEqual(['accepted', 'cancelled', 'completed']);
    // Late events of a finished order change nothing (like the order's view, a brew seen after the
    // completion adds no ready time).
    expect(foldBoard(inOrder, [a.placed, a.reserved, b.placed, b.brewing, c.placed])).toBeUndefined();
    expect(fold([a.completed, a.brewing])).toEqual([{ orderId: a.orderId, status: 'completed', updatedAt: iso(0, 5) }]);
  });

  it('says "unchanged" (so nothing is written) when a batch brings nothing new', () => {
    const o = order(0);
    const board = fold([o.placed, o.reserved]);
    expect(foldBoard(board, [o.placed, o.reserved, o.reserved])).toBeUndefined();
    expect(foldBoard([], [])).toBeUndefined();
    expect(foldBoard(board, [o.brewing])).toBeDefined();
  });

  it(`keeps the ${BOARD_SIZE} newest orders by id, newest first, and ignores news of orders older than a full board`, () => {
    const orders = Array.from({ length: BOARD_SIZE + 20 }, (_, i) => order(i));
    const board = fold(orders.map((o) => o.placed));
    expect(board).toHaveLength(BOARD_SIZE);
    const newest = orders.slice(20).map((o) => o.orderId).reverse();
    expect(board.map((t) => t.orderId)).toEqual(newest);
    // An order that fell off the board does not come back, and the board is not rewritten for it.
    expect(foldBoard(board, [orders[0]!.completed, orders[5]!.placed])).toBeUndefined();
    // A newer order pushes the oldest out.
    const newer = order(200);
    const next = fold([newer.placed], board);
    expect(next.map((t) => t.orderId)).toEqual([newer.orderId, ...newest.slice(0, -1)]);
  });

  it('keeps no customer id and no items on a tile', () => {
    const o = order(0);
    const board = fold([o.placed, o.reserved, o.brewing, o.completed]);
    expect(JSON.stringify(board)).not.toMatch(/c-1|americano|customer|items/);
  });

  it('shows the newest buckets only, newest first, up to the limit', () => {
    const now = minute(300);
    const recent = [order(299), order(290), order(250)];
    const old = order(0);
    const board = fold([...recent, old].map((o) => o.placed));
    expect(showing(board, now, 100).map((t) => t.orderId)).toEqual(recent.map((o) => o.orderId));
    expect(showing(board, now, 2).map((t) => t.orderId)).toEqual(recent.slice(0, 2).map((o) => o.orderId));
    expect(showing([...board].reverse(), now, 100).map((t) => t.orderId)).toEqual(recent.map((o) => o.orderId));
  });

  it('stores each tile packed (times as epoch milliseconds) and reads back the same tiles', () => {
    const [done, brewing, placed] = [order(3), order(2), order(1)];
    const board = fold([done.placed, done.reserved, done.brewing, done.completed, brewing.placed, brewing.reserved, brewing.brewing, placed.placed]);
    const row = toBoardRow('main', board);
    expect(tilesOf(row)).toEqual(board);
    expect(JSON.parse(row.tiles)).toEqual([
      [done.orderId, 'completed', Date.parse(iso(3, 5)), Date.parse(iso(3, 5))],
      [brewing.orderId, 'brewing', Date.parse(iso(2, 2)), Date.parse(iso(2, 5))],
      [placed.orderId, 'pending', Date.parse(iso(1, 0))],
    ]);
    expect(row.tiles.length).toBeLessThan(JSON.stringify(board).length * 0.6);
  });
});
