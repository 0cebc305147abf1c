import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { MAX_SCOPED_STORES, inScope, storesFilter } from '../../shared/auth/scope';
import { storeScope, type Caller } from '../../shared/auth/policy';
import { z } from 'zod';
import type { ServiceDeps } from '../../shared/deps';
import { json, parseWith, queryObject } from '../../shared/http';
import { Cursor, listPage, nextLink } from '../../shared/paging';
import { getOrUndefined, odata } from '../../shared/tables';
import { TABLES } from '../../shared/topology';
import { CustomerId, ListLimit, OrderId, StoreId } from '../../shared/identifiers';
import { fromAlertRow, storeAlertPartition, type StoreAlertRow } from './storeAlerts';
import { NOTIFICATION_KINDS } from './messages';
import { ORDER_PARTITIONS_FROM, customerPartition, fromRow, notificationKey, orderPartition, type NotificationRow } from './rows';

export const Query = z.strictObject({
  customerId: CustomerId.optional(),
  orderId: OrderId.optional(),
  /** A store's own notifications for staff (low stock), not its orders'; alone, not with the others. */
  storeId: StoreId.optional(),
  limit: ListLimit,
  cursor: Cursor,
}).refine((q) => q.storeId === undefined || (q.orderId === undefined && q.customerId === undefined), {
  message: "storeId lists a store's own notifications; it does not combine with orderId or customerId",
  path: ['storeId'],
});

/**
 * Every read is bounded: an order's notifications are a point read per kind; a customer's, or everyone's,
 * come a page at a time, newest order first, with the next page in a `Link` header.
 */
export function createNotificationsApi(deps: ServiceDeps) {
  return {
    /** Staff see the notifications of their stores' orders; by order id alone, anyone holding the id. */
    async listNotifications(request: HttpRequest, _context?: InvocationContext, caller?: Caller): Promise<HttpResponseInit> {
      const q = parseWith(Query, queryObject(request), 'query');
      const client = await deps.table(TABLES.notifications);
      if (q.storeId !== undefined) {
        const page = await listPage<StoreAlertRow>(client, odata`PartitionKey eq ${storeAlertPartition(q.storeId)}`, q.limit, q.cursor);
        return json(200, inScope(caller, page.rows.map(fromAlertRow)), nextLink(request, page.next));
      }
      if (q.orderId) {
        // An order has at most one notification of each kind: point reads, whatever the table holds.
        const orderId = q.orderId;
        const found = await Promise.all(NOTIFICATION_KINDS.map((kind) => getOrUndefined<NotificationRow>(client, orderPartition(orderId), notificationKey(orderId, kind))));
        const rows = found.filter((r): r is NonNullable<typeof r> => r !== undefined && (q.customerId === undefined || r.customerId === q.customerId));
        return json(200, inScope(caller, rows.map(fromRow)).slice(0, q.limit));
      }
      const scope = storesFilter(caller);
      if (scope === false) return json(200, []);
      // A staff member's few stores go in the filter, so pages are full; many are filtered after reading.
      const stores = caller ? storeScope(caller) : 'all';
      const filters = [q.customerId ? odata`PartitionKey eq ${customerPartition(q.customerId)}` : odata`PartitionKey gt ${ORDER_PARTITIONS_FROM}`];
      if (scope && stores !== 'all' && stores.length <= MAX_SCOPED_STORES) filters.push(scope);
      const page = await listPage<NotificationRow>(client, filters.join(' and '), q.limit, q.cursor);
      return json(200, inScope(caller, page.rows.map(fromRow)), nextLink(request, page.next));
    },
  };
}
