import { newOrderId, olderBucket, orderBucket } from '../../shared/identifiers';
import { RANK, STATUS_OF, type KioskEvent, type KioskStatus } from './projection';

/**
 * One order on a store's board. The same entity serves two screens: the public pickup board, which
 * shows only a tile's pickup code and status, and the staff page's list of the store's newest orders,
 * which also shows when each was placed, its drinks and why it was cancelled. A tile never keeps a
 * customer id, so erasing a customer leaves the board as it is. `createdAt` and `items` come with
 * OrderPlaced; a tile first made from a later event (events may arrive out of order) takes that
 * event's time as `createdAt` and has no items until OrderPlaced comes. Only a tile written before
 * these fields existed lacks `createdAt` (the staff list shows its latest change instead).
 */
export interface BoardTile {
  orderId: string;
  status: KioskStatus;
  updatedAt: string;
  readyAt?: string;
  createdAt?: string;
  items?: readonly OrderLine[];
  /** Why it was cancelled (`OrderCancelled.reason`). */
  reason?: string;
}

export interface OrderLine {
  menuItemId: string;
  quantity: number;
}

/** The most tiles a board keeps: the largest `limit` of the board route and of the store's order list. */
export const BOARD_SIZE = 100;

/**
 * How far back the board looks: the newest five buckets (at least 112 minutes). A pickup board shows
 * what is being made and just made; older orders are found by id.
 */
export const BOARD_BUCKETS = 5;

/** Order ids count down, so ascending id order is newest first. */
const newestFirst = (a: BoardTile, b: BoardTile) => (a.orderId < b.orderId ? -1 : a.orderId > b.orderId ? 1 : 0);

/** Folds one event into an order's tile (like `evolve`: statuses only move forward); undefined when unchanged. */
function foldTile(tile: BoardTile | undefined, event: KioskEvent): BoardTile | undefined {
  const current: BoardTile = tile ?? { orderId: event.orderId, status: 'pending', updatedAt: event.occurredAt, createdAt: event.occurredAt };
  const status = STATUS_OF[event.type];
  let next = current;
  if (event.type === 'OrderPlaced' && current.items === undefined) {
    next = { ...next, createdAt: event.occurredAt, items: event.items.map(({ menuItemId, quantity }) => ({ menuItemId, quantity })) };
  }
  if (event.type === 'BrewingStarted' && RANK[current.status] < RANK.brewing) next = { ...next, readyAt: event.readyAt };
  if (RANK[status] > RANK[current.status]) next = { ...next, status, updatedAt: event.occurredAt, ...(event.type === 'OrderCancelled' ? { reason: event.reason } : {}) };
  return tile !== undefined && next === current ? undefined : next;
}

/**
 * Folds one store's events into its board: the newest BOARD_SIZE orders by id, each at the furthest
 * status its events reached. Every step is forward-only and the trim keeps the same newest orders
 * whatever came first, so redelivered, duplicated and reordered events (and two folds of the same
 * events) leave the same board. Returns undefined when the board is unchanged, so nothing is written:
 * also when the only news is about orders older than a full board's oldest.
 */
export function foldBoard(tiles: readonly BoardTile[], events: readonly KioskEvent[]): BoardTile[] | undefined {
  const byOrder = new Map(tiles.map((t) => [t.orderId, t]));
  let changed = false;
  for (const event of events) {
    const next = foldTile(byOrder.get(event.orderId), event);
    if (next) {
      byOrder.set(event.orderId, next);
      changed = true;
    }
  }
  if (!changed) return undefined;
  const kept = [...byOrder.values()].sort(newestFirst).slice(0, BOARD_SIZE);
  return kept.length === tiles.length && kept.every((t, i) => t === tiles[i]) ? undefined : kept;
}

/**
 * What the board route shows at `now`: the tiles of orders in the newest BOARD_BUCKETS buckets
 * (counted from the bucket of `now`), newest first, at most `limit`.
 */
export function showing(tiles: readonly BoardTile[], now: Date, limit: number): BoardTile[] {
  const window = new Set<string>();
  for (let i = 0, bucket = orderBucket(newOrderId(now)); i < BOARD_BUCKETS; i++, bucket = olderBucket(bucket)) window.add(bucket);
  return tiles.filter((t) => window.has(orderBucket(t.orderId))).sort(newestFirst).slice(0, limit);
}

/** The store's newest orders for its staff, newest first, at most `limit`, however old (unlike `showing`). */
export function newest(tiles: readonly BoardTile[], limit: number): BoardTile[] {
  return [...tiles].sort(newestFirst).slice(0, limit);
}
