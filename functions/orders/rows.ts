import type { TableEntityResult } from '@azure/data-tables';
import { keyFor } from '../../shared/identifiers';
import type { KeyRecord } from '../../shared/idempotency';
import type { Order, OrderStatus } from './order';

/**
 * The orders table: `PK=orderId, RK=order` holds each order; `PK=open, RK=orderId` tracks orders not
 * yet final (the outbox the sweep re-drives); `PK=~key_<hash(customerId, key)>, RK=key` maps one
 * customer's Idempotency-Key to an order. Order ids are base-36, so `~` sorts the key rows after every
 * order: the newest-first scan of `GET /orders` reaches its limit before it meets them, and each key
 * is a partition of its own rather than one hot partition. The sweep never reads key rows; it learns
 * from the open row whether a key can bring the client back (`idempotent`).
 */
export const ORDER_ROW = 'order';
export const OPEN_PARTITION = 'open';
const KEY_PARTITION_PREFIX = '~key_';
const KEY_ROW = 'key';

/** Where the record of one customer's Idempotency-Key lives: the same key from two customers is two keys. */
export function idempotencyKeyAt(customerId: string, key: string): { partitionKey: string; rowKey: string } {
  return { partitionKey: `${KEY_PARTITION_PREFIX}${keyFor(JSON.stringify([customerId, key]))}`, rowKey: KEY_ROW };
}

export interface IdempotencyRow extends KeyRecord {
  orderId: string;
}

export interface OrderRow {
  storeId: string;
  customerId: string;
  items: string;
  cups: number;
  status: OrderStatus;
  reason?: string;
  cancelReason?: string;
  cancelRequestedAt?: string;
  cancelTooLate?: boolean;
  createdAt: string;
  updatedAt: string;
}

export interface OpenRow {
  event: string;
  nextNudgeAt: string;
  nudges: number;
  /** Placed with an Idempotency-Key, so the client can come back for it. */
  idempotent: boolean;
  /** The order was reported to operators as stuck in brewing (once per order). */
  stuckReported?: boolean;
  /**
   * The orders consumer has read the order's OrderPlaced from the hub: it was published, and every
   * consumer will see it in turn. Such an order is not nudged (see sweep.ts), only held to its deadline.
   */
  seen?: boolean;
}

export function toRow(order: Order): OrderRow & { partitionKey: string; rowKey: string } {
  return {
    partitionKey: order.id,
    rowKey: ORDER_ROW,
    storeId: order.storeId,
    customerId: order.customerId,
    items: JSON.stringify(order.items),
    cups: order.cups,
    status: order.status,
    ...(order.reason ? { reason: order.reason } : {}),
    ...(order.cancel
      ? { cancelReason: order.cancel.reason, cancelRequestedAt: order.cancel.requestedAt, ...(order.cancel.tooLate ? { cancelTooLate: true } : {}) }
      : {}),
    createdAt: order.createdAt,
    updatedAt: order.updatedAt,
  };
}

export function fromRow(row: TableEntityResult<OrderRow>): Order {
  return {
    id: row.partitionKey!,
    storeId: row.storeId,
    customerId: row.customerId,
    items: JSON.parse(row.items) as Order['items'],
    cups: row.cups,
    status: row.status,
    ...(row.reason ? { reason: row.reason } : {}),
    ...(row.cancelReason && row.cancelRequestedAt
      ? { cancel: { reason: row.cancelReason, requestedAt: row.cancelRequestedAt, ...(row.cancelTooLate ? { tooLate: true } : {}) } }
      : {}),
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}
