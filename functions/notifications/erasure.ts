import type { InvocationContext } from '@azure/functions';
import { eachEvent, type EventFailure } from '../../shared/consumer';
import type { ServiceDeps } from '../../shared/deps';
import type { CustomerErased } from '../../shared/events';
import { deleteIfPresent } from '../../shared/tables';
import { TABLES } from '../../shared/topology';
import { NOTIFICATION_KINDS } from './messages';
import { customerPartition, notificationKey, orderPartition } from './rows';

/**
 * A notification is a message to the customer and nothing else: an erased customer's are deleted,
 * both copies (the customer's partition and the order's bucket, see rows.ts).
 */
export function createNotificationErasure(deps: ServiceDeps) {
  return async function eraseNotifications(events: CustomerErased[], _context: InvocationContext): Promise<EventFailure[]> {
    const client = await deps.table(TABLES.notifications);
    return eachEvent(events, async (event) => {
      for (const kind of NOTIFICATION_KINDS) {
        const rowKey = notificationKey(event.orderId, kind);
        await deleteIfPresent(client, orderPartition(event.orderId), rowKey);
        await deleteIfPresent(client, customerPartition(event.customerId), rowKey);
      }
    });
  };
}
