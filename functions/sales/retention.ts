import type { TableClient } from '@azure/data-tables';
import { groupBy } from '../../shared/collections';
import { deleteExpiredBuckets, retentionCutoff } from '../../shared/retention';
import { listAll, odata, submitByPartition } from '../../shared/tables';
import { DAY_ROW, LOCATOR_PREFIX, LOCATORS_END } from './rows';
import { localDate } from './sales';

const DAY_MS = 86_400_000;

/**
 * Retention of the sales table. A day's figures are kept (one small row per store and day, the history
 * the staff page shows); what goes after RETENTION_DAYS is the per-order detail: the tallies of days
 * wholly older than the cutoff in any time zone, and the locators of expired order buckets. A day is
 * closed before its tallies go: without them a very late event of one of its orders could not be told
 * from a first delivery, so the projection ignores events of closed days. Returns the rows deleted.
 */
export async function expireSalesDetail(client: TableClient, options: { now: Date; retentionDays: number; maxRows?: number }): Promise<number> {
  // A local date is within a day of the UTC date: days before this one ended before the cutoff everywhere.
  const before = localDate(new Date(retentionCutoff(options.now, options.retentionDays).getTime() - DAY_MS), 'UTC');
  const maxRows = options.maxRows ?? 5_000;
  let deleted = 0;
  while (deleted < maxRows) {
    const tallies = await listAll<Record<string, unknown>>(client, odata`PartitionKey lt ${before} and RowKey gt ${'o_'} and RowKey lt ${'o_~'}`, 1_000);
    if (tallies.length === 0) break;
    const byDay = groupBy(tallies, (row) => String(row.partitionKey));
    // Unconditional: the day's ETag changes, so a projection that read it open fails its write and reads it closed.
    for (const partitionKey of byDay.keys()) await client.updateEntity({ partitionKey, rowKey: DAY_ROW, closed: true }, 'Merge');
    await submitByPartition(client, tallies.map((row) => ['delete', { partitionKey: String(row.partitionKey), rowKey: String(row.rowKey) }]));
    deleted += tallies.length;
    if (tallies.length < 1_000) break;
  }
  deleted += await deleteExpiredBuckets(client, { now: options.now, retentionDays: options.retentionDays, prefix: LOCATOR_PREFIX, end: LOCATORS_END, maxRows: Math.max(0, maxRows - deleted) });
  return deleted;
}
