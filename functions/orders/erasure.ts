import type { InvocationContext } from '@azure/functions';
import { eachEvent, type EventFailure } from '../../shared/consumer';
import type { ServiceDeps } from '../../shared/deps';
import type { CustomerErased } from '../../shared/events';
import { ERASED_CUSTOMER } from '../../shared/identifiers';
import { withConflictRetry } from '../../shared/retry';
import { getOrUndefined, isPreconditionFailed } from '../../shared/tables';
import { TABLES } from '../../shared/topology';
import { ORDER_ROW, type OrderRow } from './rows';

/** An erased customer's orders keep their figures (items, cups, status, times) under the erased marker. */
export function createOrderErasure(deps: ServiceDeps) {
  return async function eraseFromOrders(events: CustomerErased[], context: InvocationContext): Promise<EventFailure[]> {
    const client = await deps.table(TABLES.orders);
    return eachEvent(events, async (event) => {
      await withConflictRetry(async () => {
        const row = await getOrUndefined<OrderRow>(client, event.orderId, ORDER_ROW);
        if (!row || row.customerId === ERASED_CUSTOMER) return;
        await client.updateEntity({ partitionKey: event.orderId, rowKey: ORDER_ROW, customerId: ERASED_CUSTOMER, erasedAt: deps.now().toISOString() }, 'Merge', { etag: row.etag });
        context.log(`customer id erased from order ${event.orderId}`);
      }, isPreconditionFailed);
    });
  };
}
