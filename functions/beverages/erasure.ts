import type { InvocationContext } from '@azure/functions';
import { eachEvent, type EventFailure } from '../../shared/consumer';
import type { ServiceDeps } from '../../shared/deps';
import type { CustomerErased } from '../../shared/events';
import { ERASED_CUSTOMER } from '../../shared/identifiers';
import { getOrUndefined, isNotFound } from '../../shared/tables';
import { TABLES } from '../../shared/topology';
import { JOB_ROW, indexKey, queuePartition, type IndexRow, type JobRow } from './rows';

/**
 * A brewing job keeps what was brewed and when, under the erased marker instead of the customer id;
 * so does an order's entry in its store's machine queue (erased first: a job started from it later
 * copies the marker).
 */
export function createBeverageErasure(deps: ServiceDeps) {
  return async function eraseFromJobs(events: CustomerErased[], _context: InvocationContext): Promise<EventFailure[]> {
    const client = await deps.table(TABLES.beverages);
    return eachEvent(events, async (event) => {
      const index = await getOrUndefined<IndexRow>(client, queuePartition(event.storeId), indexKey(event.orderId));
      if (index) {
        try {
          await client.updateEntity({ partitionKey: queuePartition(event.storeId), rowKey: index.entry, customerId: ERASED_CUSTOMER }, 'Merge');
        } catch (error) {
          // The entry went (its order started and finished) since the index was read: nothing to erase.
          if (!isNotFound(error)) throw error;
        }
      }
      const row = await getOrUndefined<JobRow>(client, event.orderId, JOB_ROW);
      if (!row || row.customerId === ERASED_CUSTOMER) return;
      // Merge without an ETag: only this field changes, and the sweep's writes never touch it.
      await client.updateEntity({ partitionKey: event.orderId, rowKey: JOB_ROW, customerId: ERASED_CUSTOMER }, 'Merge');
    });
  };
}
