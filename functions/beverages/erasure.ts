import type { InvocationContext } from '@azure/functions';
import { eachEvent, type EventFailure } from '../../shared/consumer';
import type { ServiceDeps } from '../../shared/deps';
import type { CustomerErased } from '../../shared/events';
import { ERASED_CUSTOMER } from '../../shared/identifiers';
import { getOrUndefined } from '../../shared/tables';
import { TABLES } from '../../shared/topology';
import { JOB_ROW, type JobRow } from './rows';

/** A brewing job keeps what was brewed and when, under the erased marker instead of the customer id. */
export function createBeverageErasure(deps: ServiceDeps) {
  return async function eraseFromJobs(events: CustomerErased[], _context: InvocationContext): Promise<EventFailure[]> {
    const client = await deps.table(TABLES.beverages);
    return eachEvent(events, async (event) => {
      const row = await getOrUndefined<JobRow>(client, event.orderId, JOB_ROW);
      if (!row || row.customerId === ERASED_CUSTOMER) return;
      // Merge without an ETag: only this field changes, and the sweep's writes never touch it.
      await client.updateEntity({ partitionKey: event.orderId, rowKey: JOB_ROW, customerId: ERASED_CUSTOMER }, 'Merge');
    });
  };
}
