import type { InvocationContext } from '@azure/functions';
import { eachEvent, type EventFailure } from '../../shared/consumer';
import type { ServiceDeps } from '../../shared/deps';
import type { CustomerErased } from '../../shared/events';
import { deleteIfPresent } from '../../shared/tables';
import { TABLES } from '../../shared/topology';
import { customerPartition, type NotificationKind } from './messages';

const KINDS: readonly NotificationKind[] = ['order-cancelled', 'order-completed'];

/** A notification is a message to the customer and nothing else: an erased customer's are deleted. */
export function createNotificationErasure(deps: ServiceDeps) {
  return async function eraseNotifications(events: CustomerErased[], _context: InvocationContext): Promise<EventFailure[]> {
    const client = await deps.table(TABLES.notifications);
    return eachEvent(events, async (event) => {
      for (const kind of KINDS) await deleteIfPresent(client, customerPartition(event.customerId), `${event.orderId}_${kind}`);
    });
  };
}
