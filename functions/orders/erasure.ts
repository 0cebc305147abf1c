import type { InvocationContext } from '@azure/functions';
import { eachEvent, type EventFailure } from '../../shared/consumer';
import type { ServiceDeps } from '../../shared/deps';
import type { CustomerErased } from '../../shared/events';
import { ERASED_CUSTOMER } from '../../shared/identifiers';
import { withConflictRetry } from '../../shared/retry';
import { getOrUndefined, isPreconditionFailed } from '../../shared/tables';
import { TABLES } from '../../shared/topology';
import { orderAt, type OrderRow } from './rows';

/** An erased customer's orders keep their figures (items, cups, status, times) under the erased marker. */
export function createOrderErasure(deps: ServiceDeps) {
  return async function eraseFromOrders(events: CustomerErased[], context: InvocationContext): Promise<EventFailure[]> {
    const client = await deps.table(TABLES.orders);
    return eachEvent(events, async (event) => {
      await withConflictRetry(async () => {
        const at = orderAt(event.orderId);
        const row = await getOrUndefined<OrderRow>(client, at.partitionKey, at.rowKey);
        if (!row || row.customerId === ERASED_CUSTOMER) return;
        await client.updateEntity({ ...at, customerId: ERASED_CUSTOMER, erasedAt: deps.now().toISOString() }, 'Merge', { etag: row.etag });
        context.log(`customer id erased from order ${event.orderId}`);
      }, isPreconditionFailed);
    });
  };
}
