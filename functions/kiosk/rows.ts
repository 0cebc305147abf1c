import type { TableEntityResult } from '@azure/data-tables';
import { orderBucket } from '../../shared/identifiers';
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
 * The board entity. Its tiles are one JSON list, newest first, one packed tile each (`PackedTile`), with
 * the times in epoch milliseconds: Table Storage has flat properties only, and the whole board is
 * written on every change, so a tile is kept at about half the size of its object form. A string
 * property holds at most 64 KiB (UTF-16), so the list is cut into pieces of at most TILES_PIECE
 * characters: `tiles`, then `tiles2`, `tiles3`... (a board of 100 orders of 20 drink lines each needs
 * a few; a usual one, one). A board written before the staff fields existed has 4-item tiles in
 * `tiles` alone.
 */
export interface BoardRow {
  storeId: string;
  tiles: string;
  [piece: `tiles${number}`]: string | undefined;
}

/** Characters per piece: 30,000 UTF-16 code units are 60,000 bytes, under the 64 KiB a string property holds. */
export const TILES_PIECE = 30_000;

type PackedLine = [menuItemId: string, quantity: number];
/** Absent fields in the middle are `null`; trailing absent ones are left off. */
type PackedTile = [orderId: string, status: BoardTile['status'], updatedAt: number, readyAt?: number | null, createdAt?: number | null, items?: PackedLine[] | null, reason?: string | null];

const iso = (ms: number) => new Date(ms).toISOString();
const absent = (value: unknown): value is null | undefined => value === null || value === undefined;

function unpack([orderId, status, updatedAt, readyAt, createdAt, items, reason]: PackedTile): BoardTile {
  return {
    orderId,
    status,
    updatedAt: iso(updatedAt),
    ...(absent(readyAt) ? {} : { readyAt: iso(readyAt) }),
    ...(absent(createdAt) ? {} : { createdAt: iso(createdAt) }),
    ...(absent(items) ? {} : { items: items.map(([menuItemId, quantity]) => ({ menuItemId, quantity })) }),
    ...(absent(reason) ? {} : { reason }),
  };
}

function pack(t: BoardTile): PackedTile {
  const packed: PackedTile = [
    t.orderId,
    t.status,
    Date.parse(t.updatedAt),
    t.readyAt === undefined ? null : Date.parse(t.readyAt),
    t.createdAt === undefined ? null : Date.parse(t.createdAt),
    t.items === undefined ? null : t.items.map((l): PackedLine => [l.menuItemId, l.quantity]),
    t.reason ?? null,
  ];
  while (packed.length > 3 && packed[packed.length - 1] === null) packed.pop();
  return packed;
}

type Piece = 'tiles' | `tiles${number}`;
const pieceName = (i: number): Piece => (i === 0 ? 'tiles' : `tiles${i + 1}`);

export function tilesOf(row: BoardRow): BoardTile[] {
  let text = row.tiles;
  for (let i = 1, piece = row[pieceName(i)]; typeof piece === 'string'; piece = row[pieceName(++i)]) text += piece;
  return (JSON.parse(text) as PackedTile[]).map(unpack);
}

/** The board as an entity; written with 'Replace', so a board that shrank drops its last pieces. */
export function toBoardRow(storeId: string, tiles: readonly BoardTile[]): BoardRow {
  const text = JSON.stringify(tiles.map(pack));
  const row: BoardRow = { storeId, tiles: '' };
  for (let i = 0, from = 0; i === 0 || from < text.length; i++) {
    let to = Math.min(from + TILES_PIECE, text.length);
    // Never part a surrogate pair (an emoji in a reason): either half alone is not valid text.
    if (to < text.length && /[\uD800-\uDBFF]/.test(text[to - 1]!)) to--;
    row[pieceName(i)] = text.slice(from, to);
    from = to;
  }
  return row;
}

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
