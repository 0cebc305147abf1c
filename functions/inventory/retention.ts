import type { TableClient } from '@azure/data-tables';
import { indexAfter } from '../../shared/collections';
import { RETENTION_GRACE_DAYS, deleteRowsOfExpired, expiredIdsAfter } from '../../shared/retention';
import { getOrUndefined, listAll, odata } from '../../shared/tables';
import { DIRECTORY_PARTITION, RESERVATIONS_END, RESERVATION_PREFIX, RETENTION_CURSOR_ROW, archivePartition, orderIdOfReservation } from './rows';
import { archiveReservations } from './archive';
import { readDirectory } from './storeDirectory';

/** Stores visited per run: a bounded amount of work an hour, however many stores the chain has. */
export const STORES_PER_RUN = 500;

/** The stores of one run: `count` of the sorted `ids` after `after`, going round to the first. */
export function storesAfter(ids: readonly string[], after: string, count: number): string[] {
  const from = indexAfter(ids, after);
  return [...ids.slice(from), ...ids.slice(0, from)].slice(0, count);
}

/**
 * Reservations leave their store's hot partition (every decision and stock change commits there) a
 * day after their order, for the store's archive (archive.ts), and leave the archive after
 * RETENTION_DAYS and the grace day: a reservation only answers late copies of its order's events, and
 * those are ignored once the order is past the retention (`withoutExpired`).
 *
 * Store by store through the directory (the stores whose stock was ever set: an order for a store
 * never stocked is refused, and its one reservation stays in a cold partition of its own), the key
 * range of old ids (ids count down, so they sort last). A run visits at most `storesPerRun` stores
 * and handles at most `maxRows` rows; where it stopped is stored (a row beside the directory), so the
 * next run, on whichever instance, goes on from there and every store is reached.
 */
export async function tidyReservations(client: TableClient, options: { now: Date; retentionDays: number; storesPerRun?: number; maxRows?: number }): Promise<{ deleted: number; archived: number }> {
  const days = options.retentionDays + RETENTION_GRACE_DAYS;
  const from = `${RESERVATION_PREFIX}${expiredIdsAfter(options.now, days)}`;
  const [{ ids }, cursor] = await Promise.all([readDirectory(client), getOrUndefined<{ after?: string }>(client, DIRECTORY_PARTITION, RETENTION_CURSOR_ROW)]);
  let left = options.maxRows ?? 20_000;
  let deleted = 0;
  let archived = 0;
  let done: string | undefined;
  for (const storeId of storesAfter(ids, cursor?.after ?? '', options.storesPerRun ?? STORES_PER_RUN)) {
    // Expired ones first, from both partitions: the archive first, so a released row in the hot
    // partition (which wins over an archived copy still saying reserved) is the last to go.
    for (const partition of [archivePartition(storeId), storeId]) {
      if (left <= 0) break;
      const rows = await listAll<object>(client, odata`PartitionKey eq ${partition} and RowKey gt ${from} and RowKey lt ${RESERVATIONS_END}`, left);
      deleted += await deleteRowsOfExpired(client, rows, (row) => orderIdOfReservation(row.rowKey!), options.now, days);
      left -= rows.length;
    }
    if (left <= 0) break;
    const move = await archiveReservations(client, storeId, { now: options.now, maxRows: left, expiredAfterDays: days });
    archived += move.moved;
    left -= move.moved;
    // A store left with more to do (the budget ran out, or a row changed under the move): the next run starts with it again.
    if (!move.complete || left <= 0) break;
    done = storeId;
  }
  if (done !== undefined) await client.upsertEntity({ partitionKey: DIRECTORY_PARTITION, rowKey: RETENTION_CURSOR_ROW, after: done }, 'Replace');
  return { deleted, archived };
}
