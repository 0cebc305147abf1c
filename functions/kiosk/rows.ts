import type { TableEntityResult } from '@azure/data-tables';
import { orderBucket } from '../../shared/identifiers';
import type { KioskView } from './projection';

/**
 * The kiosk table, partitioned by the order id's time bucket (`orderBucket`), so the rows one batch
 * writes (orders placed around the same time, whatever their store) share a partition and commit in
 * one transaction:
 * - `PK=<bucket>, RK=o_<orderId>`: the order's view, answering "how is my order?" with a point read;
 *   its ETag decides whether an event was applied;
 * - `PK=<bucket>, RK=s_<storeId>_<orderId>`: the same view, copied for the store's board. Order ids
 *   sort newest first, so a store's board is a key range of the newest buckets. The board is public,
 *   so its copy keeps no customer id and no items (`toBoardRow`).
 */
export const viewAt = (orderId: string) => ({ partitionKey: orderBucket(orderId), rowKey: `o_${orderId}` });
export const boardKey = (storeId: string, orderId: string) => `s_${storeId}_${orderId}`;
/** The board rows of a store within one bucket: '~' sorts after every character of an order id. */
export const boardRange = (storeId: string) => ({ from: `s_${storeId}_`, to: `s_${storeId}_~` });

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

/** The pickup board's copy of a view: a code and a status, so no customer id and no items. */
export function toBoardRow(view: KioskView): Omit<ViewRow, 'customerId' | 'items'> {
  const { customerId: _customer, items: _items, ...fields } = toRow(view);
  return fields;
}
