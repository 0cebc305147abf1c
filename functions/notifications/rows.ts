import type { TableEntityResult } from '@azure/data-tables';
import { z } from 'zod';
import { keyFor, orderBucket } from '../../shared/identifiers';
import { NOTIFICATION_KINDS, type NotificationKind } from './messages';

/**
 * The notifications table holds each notification twice, under its identity (`<orderId>_<kind>`), so
 * a redelivered final event finds its rows and writes no second notification:
 * - `PK=hash(customerId)`: a customer's notifications (a customer id may hold characters a key cannot),
 *   newest order first;
 * - `PK=~<bucket of the order id>`: by order, for `?orderId=` (a point read per kind) and for the
 *   newest-first listing of all; a batch's rows share the bucket and go in one transaction. `~` sorts
 *   after every customer partition.
 */
export const customerPartition = (customerId: string) => keyFor(customerId);
export const orderPartition = (orderId: string) => `~${orderBucket(orderId)}`;
export const ORDER_PARTITIONS_FROM = '~';
export const notificationKey = (orderId: string, kind: NotificationKind) => `${orderId}_${kind}`;

export interface NotificationRow {
  customerId: string;
  orderId: string;
  storeId: string;
  kind: NotificationKind;
  message: string;
  messageKo: string;
  createdAt: string;
}

/** One notification as `GET /notifications` answers it. */
export const Notification = z
  .object({
    id: z.string(),
    orderId: z.string(),
    customerId: z.string(),
    storeId: z.string(),
    kind: z.enum(NOTIFICATION_KINDS),
    message: z.string(),
    messageKo: z.string(),
    createdAt: z.iso.datetime(),
  })
  .meta({ id: 'Notification' });

export function fromRow(row: TableEntityResult<NotificationRow> | NotificationRow): z.infer<typeof Notification> {
  return {
    id: `${row.orderId}.${row.kind}`,
    orderId: row.orderId,
    customerId: row.customerId,
    storeId: row.storeId,
    kind: row.kind,
    message: row.message,
    messageKo: row.messageKo,
    createdAt: row.createdAt,
  };
}
