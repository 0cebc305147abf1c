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
 * The board entity. Its tiles are one JSON list, newest first, one packed tile each (`PackedTile`), with
 * the times in epoch milliseconds: Table Storage has flat properties only, and the whole board is
 * written on every change, so a tile is kept at about half the size of its object form. The list is
 * cut into pieces (`textPieces.ts`) `tiles`, `tiles2`, `tiles3`...: a board of 100 orders of 20 drink
 * lines each needs a few, a usual one one. A board written before the staff fields existed has 4-item
 * tiles in `tiles` alone.
 */
export interface BoardRow {
  storeId: string;
  tiles: string;
  [piece: `tiles${number}`]: string | undefined;
}

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

const pieceName = (i: number) => (i === 0 ? 'tiles' : `tiles${i + 1}`);

export const tilesOf = (row: BoardRow): BoardTile[] => (JSON.parse(fromPieces(row, pieceName)) as PackedTile[]).map(unpack);

/** The board as an entity; written with 'Replace', so a board that shrank drops its last pieces. */
export const toBoardRow = (storeId: string, tiles: readonly BoardTile[]): BoardRow => ({ storeId, ...(toPieces(JSON.stringify(tiles.map(pack)), pieceName) as { tiles: string }) });

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
