import { describe, expect, it } from 'vitest';
import { PIECE_CHARS } from '../../shared/textPieces';
import { BOARD_SIZE, foldBoard, newest, showing, type BoardTile } from '../../functions/kiosk/board';
import type { KioskEvent } from '../../functions/kiosk/projection';
import { tilesOf, toBoardRow, type BoardRow } from '../../functions/kiosk/rows';
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
    const placedAs = { orderId: o.orderId, createdAt: iso(0, 0), items };
    const pending = fold([o.placed]);
    expect(pending).toEqual([{ ...placedAs, status: 'pending', updatedAt: iso(0, 0) }]);
    const accepted = fold([o.reserved], pending);
    expect(accepted).toEqual([{ ...placedAs, status: 'accepted', updatedAt: iso(0, 1) }]);
    const brewing = fold([o.brewing], accepted);
    expect(brewing).toEqual([{ ...placedAs, status: 'brewing', updatedAt: iso(0, 2), readyAt: iso(0, 5) }]);
    expect(fold([o.completed], brewing)).toEqual([{ ...placedAs, status: 'completed', updatedAt: iso(0, 5), readyAt: iso(0, 5) }]);
    expect(fold([order(1).cancelled])).toEqual([expect.objectContaining({ status: 'cancelled', updatedAt: iso(1, 3), reason: 'out-of-cups' })]);
  });

  it('learns when and what was ordered from OrderPlaced, whenever it arrives, and keeps the first cancel reason', () => {
    const o = order(0);
    // The cancel came first: the tile knows the reason and its first time, then OrderPlaced brings the rest.
    const early = fold([o.cancelled]);
    expect(early).toEqual([{ orderId: o.orderId, status: 'cancelled', updatedAt: iso(0, 3), createdAt: iso(0, 3), reason: 'out-of-cups' }]);
    expect(fold([o.placed], early)).toEqual([{ orderId: o.orderId, status: 'cancelled', updatedAt: iso(0, 3), createdAt: iso(0, 0), items, reason: 'out-of-cups' }]);
    // A second final event (a completion that lost the race) changes neither status nor reason.
    const later = makeEvent('OrderCancelled', { orderId: o.orderId, storeId: 'main', occurredAt: iso(0, 9), customerId: 'c-1', reason: 'timed-out' });
    expect(foldBoard(fold([o.placed], early), [o.completed, later])).toBeUndefined();
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
    expect(fold([a.completed, a.brewing])).toEqual([{ orderId: a.orderId, status: 'completed', updatedAt: iso(0, 5), createdAt: iso(0, 5) }]);
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

  it('keeps no customer id on a tile (erasing a customer leaves the board as it is)', () => {
    const o = order(0);
    const board = fold([o.placed, o.reserved, o.brewing, o.completed]);
    expect(JSON.stringify(board)).not.toMatch(/c-1|customer/);
    expect(JSON.stringify(toBoardRow('main', board))).not.toMatch(/c-1|customer/);
  });

  it("lists the store's newest orders for its staff however old, newest first, up to the limit", () => {
    const orders = [order(0), order(100), order(299)];
    const board = fold(orders.map((o) => o.placed));
    expect(newest([...board].reverse(), 100).map((t) => t.orderId)).toEqual([...orders].reverse().map((o) => o.orderId));
    expect(newest(board, 2).map((t) => t.orderId)).toEqual([orders[2]!.orderId, orders[1]!.orderId]);
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

  it('stores each tile packed (times as epoch milliseconds), the staff fields apart, and reads back the same tiles', () => {
    const [done, brewing, placed] = [order(3), order(2), order(1)];
    const board = fold([done.placed, done.reserved, done.brewing, done.completed, brewing.placed, brewing.reserved, brewing.brewing, placed.cancelled]);
    const row = toBoardRow('main', board);
    expect(tilesOf(row)).toEqual(board);
    // `tiles` is what it always was, so an instance of the version before still reads the pickup board.
    expect(JSON.parse(row.tiles)).toEqual([
      [done.orderId, 'completed', Date.parse(iso(3, 5)), Date.parse(iso(3, 5))],
      [brewing.orderId, 'brewing', Date.parse(iso(2, 2)), Date.parse(iso(2, 5))],
      [placed.orderId, 'cancelled', Date.parse(iso(1, 3))],
    ]);
    expect(JSON.parse(row.details!)).toEqual([
      [Date.parse(iso(3, 0)), [['americano', 1]]],
      [Date.parse(iso(2, 0)), [['americano', 1]]],
      [Date.parse(iso(1, 3)), null, 'out-of-cups'],
    ]);
    expect(row.tiles.length + row.details!.length).toBeLessThan(JSON.stringify(board).length * 0.6);
  });

  it('reads a board the version before wrote back (tiles only) without guessing its details', () => {
    const o = order(0);
    const board = fold([o.placed, o.reserved]);
    const { details: _dropped, ...older } = toBoardRow('main', board);
    expect(tilesOf(older)).toEqual([{ orderId: o.orderId, status: 'accepted', updatedAt: iso(0, 1) }]);
    // Details that do not line up with the tiles are ignored, not shifted onto other orders.
    const other = order(1);
    const mismatched = { ...toBoardRow('main', fold([other.placed, o.placed])), tiles: older.tiles };
    expect(tilesOf(mismatched)).toEqual([{ orderId: o.orderId, status: 'accepted', updatedAt: iso(0, 1) }]);
  });

  it('reads a board written before tiles kept the staff fields', () => {
    const o = order(0);
    const old: BoardRow = { storeId: 'main', tiles: JSON.stringify([[o.orderId, 'brewing', Date.parse(iso(0, 2)), Date.parse(iso(0, 5))]]) };
    expect(tilesOf(old)).toEqual([{ orderId: o.orderId, status: 'brewing', updatedAt: iso(0, 2), readyAt: iso(0, 5) }]);
    // A ready time written as null (never ready) is no ready time, not the epoch.
    expect(tilesOf({ storeId: 'main', tiles: JSON.stringify([[o.orderId, 'cancelled', Date.parse(iso(0, 3)), null]]) })).toEqual([{ orderId: o.orderId, status: 'cancelled', updatedAt: iso(0, 3) }]);
    // The next fold completes it as any tile.
    expect(fold([o.completed], tilesOf(old))).toEqual([{ orderId: o.orderId, status: 'completed', updatedAt: iso(0, 5), readyAt: iso(0, 5) }]);
  });

  it('cuts a board too large for one string property into pieces, and drops pieces when it shrinks', () => {
    // The largest board: 100 orders of 20 drink lines each.
    const lines = Array.from({ length: 20 }, (_, i) => ({ menuItemId: `item-${'x'.repeat(50)}-${i}`, quantity: 20 }));
    const board = fold(Array.from({ length: BOARD_SIZE }, (_, i) => makeEvent('OrderPlaced', { orderId: newOrderId(minute(i)), storeId: 'main', occurredAt: iso(i), customerId: 'c-1', items: lines, cups: 400 })));
    const row = toBoardRow('main', board);
    const pieces = Object.entries(row).filter(([name]) => name.startsWith('details'));
    expect(pieces.length).toBeGreaterThan(4);
    expect(pieces.map(([name]) => name)).toEqual(['details', ...pieces.slice(1).map((_, i) => `details${i + 2}`)]);
    expect(row.tiles.length).toBeLessThanOrEqual(PIECE_CHARS);
    for (const [, text] of pieces) expect(String(text).length).toBeLessThanOrEqual(PIECE_CHARS);
    expect(tilesOf(row)).toEqual(board);
    // Written with 'Replace', a small board after a large one is one piece: the rest is gone.
    expect(Object.keys(toBoardRow('main', board.slice(0, 2))).filter((k) => k.startsWith('details'))).toEqual(['details']);
  });

  it('never cuts a piece inside a character (an emoji in a cancel reason)', () => {
    const lines = Array.from({ length: 5 }, (_, i) => ({ menuItemId: `item-${i}`, quantity: 20 }));
    let movedCut = 0;
    // Shift the text a character at a time (the newest order's reason comes first) until a cut would
    // fall between an emoji's two halves.
    for (let pad = 0; pad < 60; pad++) {
      const board = fold(
        Array.from({ length: BOARD_SIZE }, (_, i) => {
          const envelope = { orderId: newOrderId(minute(i)), storeId: 'main', occurredAt: iso(i), customerId: 'c-1' };
          return [makeEvent('OrderPlaced', { ...envelope, items: lines, cups: 400 }), makeEvent('OrderCancelled', { ...envelope, reason: `${'r'.repeat(i === BOARD_SIZE - 1 ? pad : 0)}${'\u{1F964}'.repeat(149)}` })];
        }).flat(),
      );
      const row = toBoardRow('main', board);
      // encodeURIComponent refuses a lone half of a surrogate pair.
      for (const [name, text] of Object.entries(row)) if (name.startsWith('details')) expect(() => encodeURIComponent(String(text)), `${name} at pad ${pad}`).not.toThrow();
      expect(tilesOf(row)).toEqual(board);
      if (row.details!.length === PIECE_CHARS - 1) movedCut++;
    }
    expect(movedCut).toBeGreaterThan(0);
  });
});
