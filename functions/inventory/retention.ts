import type { TableClient, TransactionAction } from '@azure/data-tables';
import { expiredId, expiredIdsAfter } from '../../shared/retention';
import { listAll, odata, submitByPartition } from '../../shared/tables';
import { RESERVATION_PREFIX } from './rows';
import { readDirectory } from './storeDirectory';

/**
 * Reservations leave their store's partition after RETENTION_DAYS. The partition is the store's hot
 * one (every decision and stock change commits there), so without this it would keep every
 * reservation the store ever made. A reservation only answers late copies of its order's events, and
 * those are ignored once the order is past the retention (`withoutExpired`), so nothing needs it then.
 * Per store in the directory: the key range of expired ids (ids count down, so they sort last), a
 * bounded number of rows per run; the next run goes on.
 */
export async function expireReservations(client: TableClient, options: { now: Date; retentionDays: number; maxRows?: number }): Promise<number> {
  const from = `${RESERVATION_PREFIX}${expiredIdsAfter(options.now, options.retentionDays)}`;
  const to = `${RESERVATION_PREFIX}~`;
  let left = options.maxRows ?? 5_000;
  let deleted = 0;
  for (const storeId of (await readDirectory(client)).ids) {
    if (left <= 0) break;
    const rows = await listAll<object>(client, odata`PartitionKey eq ${storeId} and RowKey gt ${from} and RowKey lt ${to}`, left);
    const doomed = rows.filter((row) => expiredId(row.rowKey!.slice(RESERVATION_PREFIX.length), options.now, options.retentionDays));
    await submitByPartition(client, doomed.map((row): TransactionAction => ['delete', { partitionKey: storeId, rowKey: row.rowKey! }]));
    deleted += doomed.length;
    left -= rows.length;
  }
  return deleted;
}
