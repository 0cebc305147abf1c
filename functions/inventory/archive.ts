import type { TableClient, TransactionAction } from '@azure/data-tables';
import { chunksOf } from '../../shared/collections';
import { expiredId, expiredIdsAfter } from '../../shared/retention';
import { MAX_TRANSACTION_OPERATIONS, getOrUndefined, isTransactionConflict, listAll, odata, submitByPartition } from '../../shared/tables';
import { ARCHIVE_MARK_ROW, RESERVATIONS_END, RESERVATION_PREFIX, archivePartition, orderIdOfReservation, reservationKey, type ReservationRow } from './rows';

/**
 * A store's hot partition holds its stock row and the reservations of about the last day: every
 * decision commits there, and a partition that kept every reservation of RETENTION_DAYS would make
 * each read of the stock row (a point read here, but a filter of the partition on the local
 * emulator) cost more as history grows. The retention timer moves older reservations to the store's
 * archive partition, where they still answer a late copy of their order's events until they expire.
 *
 * Consumers look in the archive for orders older than HOT_DAYS; the timer moves only those an hour
 * older than that, so a consumer whose clock is up to an hour apart from the timer's still looks for
 * every order the timer may have moved.
 */
export const HOT_DAYS = 1;
const MOVE_AFTER_DAYS = HOT_DAYS + 1 / 24;

/** Whether the timer may have moved this order's reservation to the archive (an id this app did not make: never). */
export const mayBeArchived = (orderId: string, now: Date) => expiredId(orderId, now, HOT_DAYS);

/**
 * The store's archive mark serializes everything done to reservations old enough to be moved: a move
 * of them (the timer) and a decision or release on one (a late copy of an order's events) each read the
 * mark first, then commit with a write of it conditional on what they read. So a decision that looked
 * in the archive before a move of its order fails (and its retry finds the order there) instead of
 * deciding the order a second time, and a move whose rows changed since it copied them (a late cancel
 * released cups) fails instead of archiving the row as it was.
 */
export interface ArchiveGuard {
  action: TransactionAction;
}

function guardOn(storeId: string, etag: string | undefined, now: Date): ArchiveGuard {
  const entity = { partitionKey: storeId, rowKey: ARCHIVE_MARK_ROW, guardedAt: now.toISOString() };
  return { action: etag ? ['update', entity, 'Merge', { etag }] : ['create', entity] };
}

export async function readArchiveGuard(client: TableClient, storeId: string, now: Date): Promise<ArchiveGuard> {
  return guardOn(storeId, (await getOrUndefined<object>(client, storeId, ARCHIVE_MARK_ROW))?.etag, now);
}

/** The archived decisions of these orders (point reads, together): only late copies get here. */
export async function readArchived(client: TableClient, storeId: string, orderIds: readonly string[]): Promise<Map<string, ReservationRow>> {
  const rows = await Promise.all(orderIds.map(async (orderId) => [orderId, await getOrUndefined<ReservationRow>(client, archivePartition(storeId), reservationKey(orderId))] as const));
  return new Map(rows.flatMap(([orderId, row]) => (row ? [[orderId, reservationFields(row)] as const] : [])));
}

export function reservationFields(row: ReservationRow): ReservationRow {
  const { outcome, cups, available, decidedAt, releasedAt } = row;
  return { outcome, cups, available, decidedAt, ...(releasedAt === undefined ? {} : { releasedAt }) };
}

/**
 * Moves up to `maxRows` of the store's reservations of orders over a day old (and the hour) to its
 * archive: copied first (a copy left by a run that stopped half way is overwritten by the next), then
 * deleted from the hot partition in transactions guarded by the archive mark, read before the rows
 * were. A row changed since (a late cancel released its cups, under the same guard) makes the delete
 * fail: the move stops there, and the next run copies the row as it is then. Returns how many rows
 * it moved.
 */
export async function archiveReservations(client: TableClient, storeId: string, options: { now: Date; maxRows: number }): Promise<number> {
  let guard = await readArchiveGuard(client, storeId, options.now);
  const from = `${RESERVATION_PREFIX}${expiredIdsAfter(options.now, MOVE_AFTER_DAYS)}`;
  const listed = await listAll<ReservationRow>(client, odata`PartitionKey eq ${storeId} and RowKey gt ${from} and RowKey lt ${RESERVATIONS_END}`, options.maxRows);
  const rows = listed.filter((row) => expiredId(orderIdOfReservation(row.rowKey!), options.now, MOVE_AFTER_DAYS));
  let moved = 0;
  // One slot of each transaction is the mark's.
  for (const chunk of chunksOf(rows, MAX_TRANSACTION_OPERATIONS - 1)) {
    await submitByPartition(client, chunk.map((row): TransactionAction => ['upsert', { partitionKey: archivePartition(storeId), rowKey: row.rowKey!, ...reservationFields(row) }, 'Replace']));
    let etag: string | undefined;
    try {
      const response = await client.submitTransaction([guard.action, ...chunk.map((row): TransactionAction => ['delete', { partitionKey: storeId, rowKey: row.rowKey! }])]);
      etag = response.subResponses[0]?.etag;
    } catch (error) {
      if (isTransactionConflict(error)) break;
      throw error;
    }
    moved += chunk.length;
    // The next chunk's guard is the mark as this transaction left it; read again, it could hide a change made since the listing.
    if (!etag) break;
    guard = guardOn(storeId, etag, options.now);
  }
  return moved;
}
