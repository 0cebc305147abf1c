import type { InvocationContext } from '@azure/functions';
import type { EventFailure } from '../../shared/consumer';
import type { ServiceDeps } from '../../shared/deps';
import type { OrderCancelled, OrderCompleted } from '../../shared/events';
import { createIfAbsent } from '../../shared/tables';
import { TABLES } from '../../shared/topology';
import { customerPartition, notificationFor } from './messages';

/**
 * The notifications table: `PK=hash(customerId), RK=orderId_kind` (a customer id may hold characters a
 * key cannot). The key is the notification's identity, so a redelivered final event finds the row
 * already there and no second notification is written.
 */
export function createNotifier(deps: ServiceDeps) {
  return async function notifyCustomers(events: (OrderCancelled | OrderCompleted)[], context: InvocationContext): Promise<EventFailure[]> {
    const client = await deps.table(TABLES.notifications);
    // Each notification is its own partition's (the customer's) insert: they go out together, and a
    // failure fails its own event only.
    const settled = await Promise.allSettled(events.map(async (event) => {
      const { kind, message, messageKo } = notificationFor(event);
      const created = await createIfAbsent(client, {
        partitionKey: customerPartition(event.customerId),
        rowKey: `${event.orderId}_${kind}`,
        customerId: event.customerId,
        orderId: event.orderId,
        storeId: event.storeId,
        kind,
        message,
        messageKo,
        createdAt: deps.now().toISOString(),
      });
      if (created) context.log(`notified customer of ${kind} orderId=${event.orderId}`);
    }));
    return settled.flatMap((result, i) => (result.status === 'rejected' ? [{ eventId: events[i]!.id, error: result.reason as unknown }] : []));
  };
}
