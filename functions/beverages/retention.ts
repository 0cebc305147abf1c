import type { TableClient } from '@azure/data-tables';
import { RETENTION_GRACE_DAYS, deleteRowsOfExpired, expiredIdsAfter } from '../../shared/retention';
import { listAll, odata } from '../../shared/tables';
import { JOB_ROW } from './rows';

/**
 * Brewing jobs leave after RETENTION_DAYS (and the grace day). A job is its order's partition, so it never weighs on a hot
 * one, but the table would keep every drink ever brewed. A job only answers late copies of its
 * order's reservation, and that is ignored once the order is past the retention (`withoutExpired`).
 * Expired ids sort after the cutoff's (ids count down) and before the `~queue~` partitions; `due` sorts
 * before every id this app makes. A bounded number of rows per run; the next run goes on.
 */
export async function expireJobs(client: TableClient, options: { now: Date; retentionDays: number; maxRows?: number }): Promise<number> {
  const days = options.retentionDays + RETENTION_GRACE_DAYS;
  const from = expiredIdsAfter(options.now, days);
  const rows = await listAll<object>(client, odata`PartitionKey gt ${from} and PartitionKey lt ${'~'} and RowKey eq ${JOB_ROW}`, options.maxRows ?? 5_000);
  return deleteRowsOfExpired(client, rows, (row) => row.partitionKey!, options.now, days);
}
