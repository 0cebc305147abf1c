import type { TableClient, TransactionAction } from '@azure/data-tables';
import { RETENTION_GRACE_DAYS, expiredId, expiredIdsAfter } from '../../shared/retention';
import { listAll, odata, submitByPartition } from '../../shared/tables';
import { RESERVATION_PREFIX } from './rows';
import { readDirectory } from './storeDirectory';

/** Stores visited per run: a bounded amount of work an hour, however many stores the chain has. */
const STORES_PER_RUN = 500;

/**
 * Reservations leave their store's partition after RETENTION_DAYS (and the grace day). The partition
 * is the store's hot one (every decision and stock change commits there), so without this it would
 * keep every reservation the store ever made. A reservation only answers late copies of its order's
 * OrderPlaced, and those are ignored once the order is past the retention (`withoutExpired`).
 *
 * Store by store through the directory (the stores whose stock was ever set: an order for a store
 * never stocked is refused, and its one reservation stays in a cold partition of its own), the key
 * range of expired ids (ids count down, so they sort last). A run visits at most STORES_PER_RUN
 * stores and deletes at most `maxRows` rows, and the next run goes on after the last store visited,
 * so every store is reached however many there are.
 */
export function createReservationExpiry(storesPerRun = STORES_PER_RUN) {
  /** The last store the previous run visited (this process's; a new process starts from the first). */
  let after = '';
  return async function expireReservations(client: TableClient, options: { now: Date; retentionDays: number; maxRows?: number }): Promise<number> {
    const days = options.retentionDays + RETENTION_GRACE_DAYS;
    const from = `${RESERVATION_PREFIX}${expiredIdsAfter(options.now, days)}`;
    const to = `${RESERVATION_PREFIX}~`;
    const { ids } = await readDirectory(client);
    const start = ids.findIndex((id) => id > after);
    const turn = [...ids.slice(start < 0 ? ids.length : start), ...ids.slice(0, start < 0 ? ids.length : start)].slice(0, storesPerRun);
    let left = options.maxRows ?? 5_000;
    let deleted = 0;
    for (const storeId of turn) {
      if (left <= 0) break;
      const rows = await listAll<object>(client, odata`PartitionKey eq ${storeId} and RowKey gt ${from} and RowKey lt ${to}`, left);
      const doomed = rows.filter((row) => expiredId(row.rowKey!.slice(RESERVATION_PREFIX.length), options.now, days));
      await submitByPartition(client, doomed.map((row): TransactionAction => ['delete', { partitionKey: storeId, rowKey: row.rowKey! }]));
      deleted += doomed.length;
      left -= rows.length;
      after = storeId;
    }
    return deleted;
  };
}
