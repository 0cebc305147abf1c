import type { TableEntityResult } from '@azure/data-tables';
import type { Order, OrderStatus } from './order';

/**
 * The orders table: `PK=orderId, RK=order` holds each order; `PK=open, RK=orderId` tracks orders not
 * yet final (the outbox the sweep re-drives); `PK=idem, RK=hash(key)` maps Idempotency-Keys to orders.
 */
export const ORDER_ROW = 'order';
export const OPEN_PARTITION = 'open';
export const IDEMPOTENCY_PARTITION = 'idem';

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
