import type { TableClient } from '@azure/data-tables';
import type { CallOptions } from '../../shared/tables';
import { odata } from '../../shared/tables';
import type { StoreSettings } from '../../shared/storeSettings';
import type { OpenCounts } from './gate';
import { OPEN_PARTITION, type OpenRow } from './rows';

/**
 * Counts a store's orders not yet final (pending, accepted, brewing), and the customer's among them,
 * for the load limits. Only a store with a limit pays for it: one query, no write.
 *
 * Why the open-order rows: intake already writes one per order before anything else and the orders
 * consumer deletes it when the order is final, so they are the store's orders in flight with no new
 * row to keep in step (a per-store counter would be a second write per order and a hot row every intake
 * and every completion of the store contends on). The query stays within the one `~open` partition,
 * which holds only orders of the last minutes, and reads only keys and the customer id; it stops as soon
 * as the answer is known (the store cap reached). It is exact enough to cap load, not exact:
 * - intakes running at once each count the others' orders only once written, so a burst may pass the
 *   cap by the number of concurrent intakes (at most one per client in flight);
 * - an order just final is counted until its open row is deleted (moments later), and a row left over
 *   by an intake that died before its order was stored, until the sweep drops it.
 */
export async function countOpenOrders(client: TableClient, storeId: string, customerId: string, settings: StoreSettings, options: CallOptions = {}): Promise<OpenCounts> {
  const { maxOrdersInFlight, maxOpenOrdersPerCustomer } = settings;
  // With only the per-customer cap, the customer's rows are all that matter.
  const onlyCustomer = maxOrdersInFlight === null;
  const filter = onlyCustomer
    ? odata`PartitionKey eq ${OPEN_PARTITION} and storeId eq ${storeId} and customerId eq ${customerId}`
    : odata`PartitionKey eq ${OPEN_PARTITION} and storeId eq ${storeId}`;
  const enough = onlyCustomer ? (maxOpenOrdersPerCustomer ?? 1) : maxOrdersInFlight;
  const counts: OpenCounts = { inStore: 0, ofCustomer: 0 };
  const pages = client.listEntities<Pick<OpenRow, 'customerId'>>({ queryOptions: { filter, select: ['customerId'] }, abortSignal: options.abortSignal }).byPage({ maxPageSize: Math.min(1000, enough) });
  for await (const page of pages) {
    for (const row of page) {
      counts.inStore++;
      if (row.customerId === customerId) counts.ofCustomer++;
    }
    if (counts.inStore >= enough) break;
  }
  return counts;
}
