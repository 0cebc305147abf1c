import type { TableClient, TableEntityResult, TransactionAction } from '@azure/data-tables';
import { chunksOf } from '../../shared/collections';
import { expiredId, expiredIdsAfter } from '../../shared/retention';
import { MAX_TRANSACTION_OPERATIONS, createIfAbsent, getOrUndefined, isConflict, isTransactionConflict, listAll, odata } from '../../shared/tables';
import { ARCHIVE_MARK_ROW, RESERVATIONS_END, RESERVATION_PREFIX, archivePartition, orderIdOfReservation, type ReservationRow } from './rows';

/**
 * A store's hot partition holds its stock row and the reservations of about the last day: every
 * decision commits there, and a partition that kept every reservation of RETENTION_DAYS would make
 * each read of the stock row (a point read here, but a filter of the partition on the local
 * emulator) cost more as history grows. The retention timer moves older reservations to the store's
 * archive partition, where they still answer a late copy of their order's events until they expire.
 *
 * Consumers look in the archive for orders older than HOT_DAYS; the timer moves only those two hours
 * older than that, so a consumer whose clock is up to an hour apart from the timer's (with an hour
 * to spare for a slow batch) still looks for every order the timer may have moved.
 */
const HOT_DAYS = 1;
const MOVE_AFTER_DAYS = HOT_DAYS + 2 / 24;
/**
 * The timer moves nothing in a store until its archive mark is this old: an instance of the version
 * before the archive (during a rolling deployment) neither looks in the archive nor writes the mark,
 * so moves wait until no such instance can still be deciding.
 */
export const MOVES_WAIT_HOURS = 2;

/** Whether an order id names an order placed more than `days` before `now` (ids this app did not make: never). */
const olderThan = (orderId: string, now: Date, days: number) => expiredId(orderId, now, days);

/** Whether the timer may have moved this order's reservation to the archive. */
export const mayBeArchived = (orderId: string, now: Date) => olderThan(orderId, now, HOT_DAYS);

/**
 * The store's archive mark orders a move against late writes about old orders: the move (the timer)
 * reads the mark before listing the rows and deletes them in a transaction with a write of the mark
 * conditional on what it read; a late decision or release (a replayed OrderPlaced, a late cancel)
 * reads the mark before the order's rows and commits with the same conditional write. So a move whose
 * rows changed since it listed them fails instead of deleting a row it copied as it was before, and a
 * late decision fails (and reads again) if its order was decided and moved after it looked.
 */
export interface ArchiveGuard {
  action: TransactionAction;
  /** When the mark was first written (by this version: see MOVES_WAIT_HOURS); undefined if there is none yet. */
  since?: Date;
}

interface MarkRow {
  since?: string;
}

function guardOn(storeId: string, mark: { etag: string; since?: string | undefined } | undefined, now: Date): ArchiveGuard {
  const entity = { partitionKey: storeId, rowKey: ARCHIVE_MARK_ROW, guardedAt: now.toISOString() };
  if (!mark) return { action: ['create', { ...entity, since: now.toISOString() }] };
  return { action: ['update', entity, 'Merge', { etag: mark.etag }], ...(mark.since ? { since: new Date(mark.since) } : {}) };
}

export async function readArchiveGuard(client: TableClient, storeId: string, now: Date): Promise<ArchiveGuard> {
  return guardOn(storeId, await getOrUndefined<MarkRow>(client, storeId, ARCHIVE_MARK_ROW), now);
}

export function reservationFields(row: ReservationRow): ReservationRow {
  const { outcome, cups, available, decidedAt, releasedAt } = row;
  return { outcome, cups, available, decidedAt, ...(releasedAt === undefined ? {} : { releasedAt }) };
}

/**
 * Copies rows into the store's archive without ever taking an archived row back: a copy is created,
 * and where one exists (a run that stopped half way, or one that overlapped another) it is replaced
 * only by the one change a reservation makes, reserved to released. A stale listing (reserved, where
 * the archive says released) leaves the archive as it is; its delete then fails on the mark.
 */
async function copyToArchive(client: TableClient, storeId: string, rows: readonly TableEntityResult<ReservationRow>[]): Promise<void> {
  const partitionKey = archivePartition(storeId);
  const copyOf = (row: TableEntityResult<ReservationRow>) => ({ partitionKey, rowKey: row.rowKey!, ...reservationFields(row) });
  try {
    await client.submitTransaction(rows.map((row): TransactionAction => ['create', copyOf(row)]));
    return;
  } catch (error) {
    if (!isConflict(error)) throw error;
  }
  for (const row of rows) {
    if (await createIfAbsent(client, copyOf(row))) continue;
    const archived = await getOrUndefined<ReservationRow>(client, partitionKey, row.rowKey!);
    if (archived?.outcome === 'reserved' && row.outcome === 'released') await client.updateEntity(copyOf(row), 'Replace', { etag: archived.etag });
  }
}

/**
 * Moves up to `maxRows` of the store's reservations of orders over a day old (and two hours) to its
 * archive, once the store's mark is MOVES_WAIT_HOURS old (a first run only writes the mark): copied
 * first, then deleted from the hot partition in transactions guarded by the archive mark, read before
 * the rows were. A row changed since (a late decision or release, under the same guard) makes the
 * delete fail: the move stops there, and a later run copies the row as it is then. Rows within a day
 * of the retention's end (`expiredAfterDays`) are left to the expiry. Says how many rows it moved, and whether it
 * is done with the store for this run (false: it stopped on a change or without the mark's new ETag,
 * or there are more rows than `maxRows`).
 */
export async function archiveReservations(client: TableClient, storeId: string, options: { now: Date; maxRows: number; expiredAfterDays: number }): Promise<{ moved: number; complete: boolean }> {
  const { now } = options;
  let guard = await readArchiveGuard(client, storeId, now);
  if (!guard.since) {
    // The first run of this version in the store: the mark, so the wait starts (a conflict: another run wrote it).
    await client.submitTransaction([guard.action]).catch((error: unknown) => {
      if (!isTransactionConflict(error)) throw error;
    });
    return { moved: 0, complete: true };
  }
  if (now.getTime() - guard.since.getTime() < MOVES_WAIT_HOURS * 3_600_000) return { moved: 0, complete: true };
  const from = `${RESERVATION_PREFIX}${expiredIdsAfter(now, MOVE_AFTER_DAYS)}`;
  const listed = await listAll<ReservationRow>(client, odata`PartitionKey eq ${storeId} and RowKey gt ${from} and RowKey lt ${RESERVATIONS_END}`, options.maxRows);
  // Rows within a day of their expiry stay to expire where they are: a move racing an expiry (runs
  // overlapping, clocks apart) could otherwise copy a row the expiry has just deleted from the archive.
  const rows = listed.filter((row) => {
    const orderId = orderIdOfReservation(row.rowKey!);
    return olderThan(orderId, now, MOVE_AFTER_DAYS) && !olderThan(orderId, now, options.expiredAfterDays - 1);
  });
  let moved = 0;
  // One slot of each transaction is the mark's.
  for (const chunk of chunksOf(rows, MAX_TRANSACTION_OPERATIONS - 1)) {
    await copyToArchive(client, storeId, chunk);
    let etag: string | undefined;
    try {
      const response = await client.submitTransaction([guard.action, ...chunk.map((row): TransactionAction => ['delete', { partitionKey: storeId, rowKey: row.rowKey! }])]);
      etag = response.subResponses[0]?.etag;
    } catch (error) {
      if (isTransactionConflict(error)) return { moved, complete: false };
      throw error;
    }
    moved += chunk.length;
    // The next chunk's guard is the mark as this transaction left it; read again, it could hide a change made since the listing.
    if (!etag) return { moved, complete: false };
    guard = guardOn(storeId, { etag, since: guard.since?.toISOString() }, now);
  }
  return { moved, complete: listed.length < options.maxRows };
}
