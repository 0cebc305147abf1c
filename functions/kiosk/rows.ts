import type { TableEntityResult } from '@azure/data-tables';
import { orderBucket } from '../../shared/identifiers';
import { fromPieces, toPieces } from '../../shared/textPieces';
import type { BoardTile } from './board';
import type { KioskView } from './projection';

/**
 * The kiosk table:
 * - `PK=<bucket>, RK=o_<orderId>`: the order's view, answering "how is my order?" with a point read;
 *   its ETag decides whether an event was applied. Partitioned by the order id's time bucket
 *   (`orderBucket`), so the views one batch writes (orders placed around the same time, whatever their
 *   store) share a partition and commit in one transaction;
 * - `PK=~board_<storeId>, RK=board`: the store's pickup board, its newest orders' tiles in one entity
 *   (`tiles`, JSON), so the board route is one point read however much history the table holds. '~'
 *   sorts after every bucket: the board is no bucket, and the retention timer (which deletes buckets)
 *   never meets it. It serves the public pickup board and the staff's list of the store's newest
 *   orders, so a tile keeps no customer id (`BoardTile`).
 */
export const viewAt = (orderId: string) => ({ partitionKey: orderBucket(orderId), rowKey: `o_${orderId}` });
export const boardAt = (storeId: string) => ({ partitionKey: `~board_${storeId}`, rowKey: 'board' });

/**
 * The board entity, newest first, with the times in epoch milliseconds (Table Storage has flat
 * properties only, and the whole board is written on every change, so a tile is kept at about half
 * the size of its object form):
 * - `tiles`: one `[orderId, status, updatedAt, readyAt?]` per tile (`PackedTile`), what the pickup
 *   board shows; at most 100 tiles of short fields, so always one property;
 * - `details`, `details2`...: the staff list's fields of the same tiles, in the same order
 *   (`PackedDetail`: placed at, drinks, cancel reason), cut into property-sized pieces
 *   (`textPieces.ts`): a board of 100 orders of 20 drink lines each needs a few, a usual one one.
 * Kept apart so that `tiles` reads as it always did: an instance of the version before the staff
 * list, still running during a rolling deployment, reads and writes the board as before (its write
 * drops the details; the staff list then shows those orders without drinks).
 */
export interface BoardRow {
  storeId: string;
  tiles: string;
  details?: string;
  [piece: `details${number}`]: string | undefined;
}

type PackedTile = [orderId: string, status: BoardTile['status'], updatedAt: number, readyAt?: number | null];
type PackedLine = [menuItemId: string, quantity: number];
/** Absent fields in the middle are `null`; trailing absent ones are left off. */
type PackedDetail = [createdAt?: number | null, items?: PackedLine[] | null, reason?: string];

const iso = (ms: number) => new Date(ms).toISOString();
const absent = (value: unknown): value is null | undefined => value === null || value === undefined;

function unpack([orderId, status, updatedAt, readyAt]: PackedTile, [createdAt, items, reason]: PackedDetail = []): BoardTile {
  return {
    orderId,
    status,
    updatedAt: iso(updatedAt),
    ...(absent(readyAt) ? {} : { readyAt: iso(readyAt) }),
    ...(absent(createdAt) ? {} : { createdAt: iso(createdAt) }),
    ...(absent(items) ? {} : { items: items.map(([menuItemId, quantity]) => ({ menuItemId, quantity })) }),
    ...(reason === undefined ? {} : { reason }),
  };
}

const packTile = (t: BoardTile): PackedTile => (t.readyAt === undefined ? [t.orderId, t.status, Date.parse(t.updatedAt)] : [t.orderId, t.status, Date.parse(t.updatedAt), Date.parse(t.readyAt)]);

function packDetail(t: BoardTile): PackedDetail {
  const createdAt = t.createdAt === undefined ? null : Date.parse(t.createdAt);
  const items = t.items === undefined ? null : t.items.map((l): PackedLine => [l.menuItemId, l.quantity]);
  if (t.reason !== undefined) return [createdAt, items, t.reason];
  if (items !== null) return [createdAt, items];
  return createdAt === null ? [] : [createdAt];
}

const detailPiece = (i: number) => (i === 0 ? 'details' : `details${i + 1}`);

export function tilesOf(row: BoardRow): BoardTile[] {
  const tiles = JSON.parse(row.tiles) as PackedTile[];
  const text = fromPieces(row, detailPiece);
  const details = text === '' ? [] : (JSON.parse(text) as PackedDetail[]);
  // Details that do not match the tiles (never written together by this version) are not guessed at.
  return tiles.map((tile, i) => unpack(tile, details.length === tiles.length ? details[i] : undefined));
}

/** The board as an entity; written with 'Replace', so a board that shrank drops its last pieces. */
export const toBoardRow = (storeId: string, tiles: readonly BoardTile[]): BoardRow => ({
  storeId,
  tiles: JSON.stringify(tiles.map(packTile)),
  ...toPieces(JSON.stringify(tiles.map(packDetail)), detailPiece),
});

export interface ViewRow {
  storeId: string;
  customerId?: string;
  items?: string;
  cups?: number;
  status: KioskView['status'];
  reason?: string;
  readyAt?: string;
  createdAt: string;
  updatedAt: string;
  /** The customer's data was erased: no later or redelivered event brings the customer id back. */
  erased?: boolean;
}

export function fromRow(row: TableEntityResult<ViewRow> | ViewRow, orderId: string): KioskView {
  return {
    orderId,
    storeId: row.storeId,
    status: row.status,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    ...(row.customerId ? { customerId: row.customerId } : {}),
    ...(row.items ? { items: JSON.parse(row.items) as KioskView['items'] } : {}),
    ...(row.cups !== undefined ? { cups: row.cups } : {}),
    ...(row.reason ? { reason: row.reason } : {}),
    ...(row.readyAt ? { readyAt: row.readyAt } : {}),
    ...(row.erased ? { erased: true } : {}),
  };
}

export function toRow(view: KioskView): ViewRow {
  return {
    storeId: view.storeId,
    status: view.status,
    createdAt: view.createdAt,
    updatedAt: view.updatedAt,
    ...(view.customerId ? { customerId: view.customerId } : {}),
    ...(view.items ? { items: JSON.stringify(view.items) } : {}),
    ...(view.cups !== undefined ? { cups: view.cups } : {}),
    ...(view.reason ? { reason: view.reason } : {}),
    ...(view.readyAt ? { readyAt: view.readyAt } : {}),
    ...(view.erased ? { erased: true } : {}),
  };
}
