import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import type { Caller } from '../../shared/auth/policy';
import { inScope } from '../../shared/auth/scope';
import type { TableEntityResult } from '@azure/data-tables';
import { z } from 'zod';
import type { ServiceDeps } from '../../shared/deps';
import { json, parseWith, queryObject } from '../../shared/http';
import { listAll, odata } from '../../shared/tables';
import { TABLES } from '../../shared/topology';
import { customerPartition, type NotificationKind } from './messages';
import { CustomerId, ListLimit, OrderId } from '../../shared/identifiers';

const Query = z.strictObject({
  customerId: CustomerId.optional(),
  orderId: OrderId.optional(),
  limit: ListLimit,
});

interface NotificationRow {
  customerId: string;
  orderId: string;
  storeId: string;
  kind: NotificationKind;
  message: string;
  messageKo: string;
  createdAt: string;
}

const view = (row: TableEntityResult<NotificationRow>) => ({
  id: `${row.orderId}.${row.kind}`,
  orderId: row.orderId,
  customerId: row.customerId,
  storeId: row.storeId,
  kind: row.kind,
  message: row.message,
  messageKo: row.messageKo,
  createdAt: row.createdAt,
});

export function createNotificationsApi(deps: ServiceDeps) {
  return {
    /** Staff see the notifications of their stores' orders; by order id alone, anyone holding the id. */
    async listNotifications(request: HttpRequest, _context?: InvocationContext, caller?: Caller): Promise<HttpResponseInit> {
      const q = parseWith(Query, queryObject(request), 'query');
      const filters: string[] = [];
      if (q.customerId) filters.push(odata`PartitionKey eq ${customerPartition(q.customerId)}`);
      if (q.orderId) filters.push(odata`orderId eq ${q.orderId}`);
      const rows = await listAll<NotificationRow>(await deps.table(TABLES.notifications), filters.join(' and '));
      const newestFirst = inScope(caller, rows.map(view)).sort((a, b) => b.createdAt.localeCompare(a.createdAt));
      return json(200, newestFirst.slice(0, q.limit));
    },
  };
}
