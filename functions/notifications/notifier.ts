import type { InvocationContext } from '@azure/functions';
import type { TransactionAction } from '@azure/data-tables';
import type { EventFailure } from '../../shared/consumer';
import type { ServiceDeps } from '../../shared/deps';
import type { OrderCancelled, OrderCompleted } from '../../shared/events';
import { createIfAbsent, submitByPartition } from '../../shared/tables';
import { TABLES } from '../../shared/topology';
import { notificationFor } from './messages';
import { customerPartition, notificationKey, orderPartition, type NotificationRow } from './rows';

/**
 * Writes one notification per final status (see rows.ts): the by-order rows of a batch in one
 * transaction per bucket (a redelivery makes it fail, and then each row is created unless present),
 * then each customer's row. A failure fails its own event only.
 */
export function createNotifier(deps: ServiceDeps) {
  return async function notifyCustomers(events: (OrderCancelled | OrderCompleted)[], context: InvocationContext): Promise<EventFailure[]> {
    const client = await deps.table(TABLES.notifications);
    const createdAt = deps.now().toISOString();
    // The consumer runner hands each event id over once per batch.
    const rows = events.map((event) => {
      const { kind, message, messageKo } = notificationFor(event);
      const row: NotificationRow = { customerId: event.customerId, orderId: event.orderId, storeId: event.storeId, kind, message, messageKo, createdAt };
      return { event, row, key: notificationKey(event.orderId, kind) };
    });
    const byOrder = rows.map((r): TransactionAction => ['create', { partitionKey: orderPartition(r.event.orderId), rowKey: r.key, ...r.row }]);
    const failures: EventFailure[] = [];
    const failed = new Set<string>();
    try {
      await submitByPartition(client, byOrder);
    } catch {
      const settled = await Promise.allSettled(rows.map((r) => createIfAbsent(client, { partitionKey: orderPartition(r.event.orderId), rowKey: r.key, ...r.row })));
      settled.forEach((result, i) => {
        if (result.status === 'rejected') {
          failed.add(rows[i]!.event.id);
          failures.push({ eventId: rows[i]!.event.id, error: result.reason as unknown });
        }
      });
    }
    const settled = await Promise.allSettled(
      rows.filter((r) => !failed.has(r.event.id)).map(async (r) => {
        if (await createIfAbsent(client, { partitionKey: customerPartition(r.event.customerId), rowKey: r.key, ...r.row })) {
          context.log(`notified customer of ${r.row.kind} orderId=${r.event.orderId}`);
        }
        return r;
      }),
    );
    const remaining = rows.filter((r) => !failed.has(r.event.id));
    settled.forEach((result, i) => {
      if (result.status === 'rejected') failures.push({ eventId: remaining[i]!.event.id, error: result.reason as unknown });
    });
    return failures;
  };
}
