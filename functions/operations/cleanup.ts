import type { InvocationContext } from '@azure/functions';
import type { ServiceDeps } from '../../shared/deps';
import { deleteExpiredBuckets } from '../../shared/retention';
import { TABLES } from '../../shared/topology';
import { isFinal, type OrderStatus } from '../orders/order';
import { ORDER_PARTITIONS_END } from '../orders/rows';
import { customerPartition } from '../notifications/rows';
import { expireSalesDetail } from '../sales/retention';
import { tidyReservations } from '../inventory/retention';
import { adoptLegacyStores } from '../inventory/storeDirectory';
import { expireJobs } from '../beverages/retention';
import { SpanKind, inSpan } from '../../shared/tracing';

/**
 * The retention timer: Table Storage has no TTL, so finished orders' records older than RETENTION_DAYS
 * are deleted here, whole time buckets at a time (orders, kiosk views, notifications by order and their
 * customer copies, and the sales model's per-order detail; its daily figures stay), then the inventory's
 * reservations and the brewing jobs of orders that old, a grace day later. Reservations over a day old
 * also move from their store's hot partition to its archive. An order that is somehow
 * still open is kept (its reservation and job go: the consumers ignore the events that would make them
 * again, and still answer a cancel). Each run deletes a bounded number of
 * rows per table and the next run goes on.
 */
export function createCleanup(deps: ServiceDeps, storesPerRun?: number) {
  return function cleanUpExpired(_timer: unknown, context: InvocationContext): Promise<void> {
    return inSpan('cleanUpExpired', SpanKind.INTERNAL, () => cleanUp(context));
  };

  async function cleanUp(context: InvocationContext): Promise<void> {
    const now = deps.now();
    const retentionDays = deps.settings.retentionDays;
    const failures: unknown[] = [];
    /** Each step on its own: one that fails (a full store directory, storage refusing) skips none of the others. */
    const step = async (name: string, run: () => Promise<number>): Promise<number> => {
      try {
        return await run();
      } catch (error) {
        context.warn(`retention: ${name} failed; the next run tries again: ${error instanceof Error ? error.message : String(error)}`);
        failures.push(error);
        return 0;
      }
    };
    const orders = await step('orders', async () =>
      deleteExpiredBuckets(await deps.table(TABLES.orders), { now, retentionDays, end: ORDER_PARTITIONS_END, keep: (row) => !isFinal(row.status as OrderStatus) }),
    );
    const kiosk = await step('kiosk views', async () => deleteExpiredBuckets(await deps.table(TABLES.kiosk), { now, retentionDays, end: '~' }));
    const notifications = await step('notifications', async () =>
      deleteExpiredBuckets(await deps.table(TABLES.notifications), {
        now,
        retentionDays,
        prefix: '~',
        end: '~~',
        alsoDelete: (row) => [['delete', { partitionKey: customerPartition(String(row.customerId)), rowKey: String(row.rowKey) }]],
      }),
    );
    const sales = await step('sales detail', async () => expireSalesDetail(await deps.table(TABLES.sales), { now, retentionDays }));
    // A store first stocked by an instance of the version before the directory (during a rolling
    // deployment) is listed, and its reservations expire, from this run on.
    const adopted = await step('adopting stores the version before listed', async () => adoptLegacyStores(await deps.table(TABLES.inventory)));
    if (adopted > 0) context.log(`store directory: adopted ${adopted} store(s) an older version listed`);
    const reservations = await step('reservations', async () => {
      const tidied = await tidyReservations(await deps.table(TABLES.inventory), { now, retentionDays, ...(storesPerRun ? { storesPerRun } : {}) });
      if (tidied.archived > 0) context.log(`retention: moved ${tidied.archived} reservation(s) over a day old to their stores' archives`);
      return tidied.deleted;
    });
    const jobs = await step('brewing jobs', async () => expireJobs(await deps.table(TABLES.beverages), { now, retentionDays }));
    if (orders + kiosk + notifications + sales + reservations + jobs > 0) {
      context.log(
        `retention: deleted ${orders} order, ${kiosk} kiosk, ${notifications} notification, ${sales} sales detail, ${reservations} reservation and ${jobs} brewing job rows older than ${retentionDays} days`,
      );
    }
    // The run still shows as failed (monitoring counts it), after doing all it could.
    if (failures.length > 0) throw failures[0];
  }
}
