import type { TableEntityResult } from '@azure/data-tables';
import { keyFor, orderBucket } from '../../shared/identifiers';
import type { KeyRecord } from '../../shared/idempotency';
import type { Order, OrderStatus } from './order';

/**
 * The orders table:
 * - `PK=<bucket>, RK=orderId` holds each order, in the partition of its id's time bucket
 *   (`orderBucket`, about 28 minutes): the orders one consumer batch moves were placed around the same
 *   time, so their writes share a partition and commit in one transaction, and a point read needs
 *   only the id. Ids sort newest first, so a scan of the bucket partitions lists the newest orders first;
 * - `PK=~open, RK=orderId` tracks orders not yet final (the outbox the sweep re-drives);
 * - `PK=~key_<hash(customerId, key)>, RK=key` maps one customer's Idempotency-Key to an order.
 * Buckets are base-36 and `~` sorts after them, so listing `PartitionKey lt '~'` meets only orders.
 * The sweep never reads key rows; it learns from the open row whether a key can bring the client back
 * (`idempotent`).
 */
export const OPEN_PARTITION = '~open';
/** Every order partition sorts before this key. */
export const ORDER_PARTITIONS_END = '~';
export const orderAt = (orderId: string) => ({ partitionKey: orderBucket(orderId), rowKey: orderId });
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
  /**
   * The order's store and customer, as plain properties so intake can count a store's open orders with
   * a filter (see openCounts.ts). Rows written before they were added lack them and are not counted.
   */
  storeId?: string;
  customerId?: string;
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
  /** The W3C trace context of the order's intake: the sweep publishes for the order in that trace. */
  traceparent?: string;
}

export function toRow(order: Order): OrderRow & { partitionKey: string; rowKey: string } {
  return {
    ...orderAt(order.id),
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
    id: row.rowKey!,
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
