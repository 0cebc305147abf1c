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
 *   never meets it. The board is public, so a tile keeps no customer id and no items (`BoardTile`).
 */
export const viewAt = (orderId: string) => ({ partitionKey: orderBucket(orderId), rowKey: `o_${orderId}` });
export const boardAt = (storeId: string) => ({ partitionKey: `~board_${storeId}`, rowKey: 'board' });

export interface BoardRow {
  storeId: string;
  /**
   * JSON, newest first, one `[orderId, status, updatedAt, readyAt?]` per tile with the times in epoch
   * milliseconds: Table Storage has flat properties only, and the whole board is written on every
   * change, so each tile is kept at about half the size of its object form.
   */
  tiles: string;
}

type PackedTile = [orderId: string, status: BoardTile['status'], updatedAt: number, readyAt?: number];

export const tilesOf = (row: BoardRow): BoardTile[] =>
  (JSON.parse(row.tiles) as PackedTile[]).map(([orderId, status, updatedAt, readyAt]) => ({
    orderId,
    status,
    updatedAt: new Date(updatedAt).toISOString(),
    ...(readyAt === undefined ? {} : { readyAt: new Date(readyAt).toISOString() }),
  }));

export const toBoardRow = (storeId: string, tiles: readonly BoardTile[]): BoardRow => ({
  storeId,
  tiles: JSON.stringify(tiles.map((t): PackedTile => (t.readyAt === undefined ? [t.orderId, t.status, Date.parse(t.updatedAt)] : [t.orderId, t.status, Date.parse(t.updatedAt), Date.parse(t.readyAt)]))),
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
