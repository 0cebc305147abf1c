import type { TableClient, TableEntityResult, TransactionAction } from '@azure/data-tables';
import type { InvocationContext } from '@azure/functions';
import { newOrderId, orderBucket, orderTime } from './identifiers';
import { listAll, odata, submitByPartition } from './tables';

/** How long finished records are kept (RETENTION_DAYS); Table Storage has no TTL, so a timer deletes. */
export function retentionCutoff(now: Date, retentionDays: number): Date {
  return new Date(now.getTime() - retentionDays * 86_400_000);
}

/** Whether an order id names an order older than the retention (so its records may be gone). */
export function expiredOrder(placedAt: Date | undefined, now: Date, retentionDays: number): boolean {
  return placedAt !== undefined && placedAt.getTime() < retentionCutoff(now, retentionDays).getTime();
}

/** Whether this id names an order of this app placed before the retention cutoff (an id it did not make never expires). */
export const expiredId = (orderId: string, now: Date, retentionDays: number) => expiredOrder(orderTime(orderId), now, retentionDays);

/**
 * The records of an order are deleted this long after its events start being ignored, so a timer and
 * a consumer whose clocks are a little apart never meet: no consumer acts on an order whose records
 * the timer may have deleted.
 */
export const RETENTION_GRACE_DAYS = 1;

/**
 * The events a consumer still acts on: those of `types` (the ones that would make a record: a
 * reservation, a brewing job) of orders past the retention are acknowledged and dropped. Their records
 * may be deleted already, and acting on a late copy (a replay of an old range) would reserve cups or
 * brew again for an order long finished. Other events pass: a cancel of an order somehow still open
 * that long must still be answered.
 */
export function withoutExpired<E extends { orderId: string; type: string }>(events: readonly E[], types: ReadonlySet<E['type']>, now: Date, retentionDays: number, context: InvocationContext): E[] {
  const live = events.filter((event) => !types.has(event.type) || !expiredId(event.orderId, now, retentionDays));
  if (live.length < events.length) context.warn(`ignored ${events.length - live.length} event(s) of orders older than the retention (${retentionDays} days)`);
  return live;
}

/**
 * Deletes the listed rows whose order (`orderIdOf`) is older than `days`, one transaction per
 * partition and 100 rows; rows of younger orders, or of ids this app did not make, stay. Returns how
 * many it deleted.
 */
export async function deleteRowsOfExpired(client: TableClient, rows: readonly TableEntityResult<object>[], orderIdOf: (row: TableEntityResult<object>) => string, now: Date, days: number): Promise<number> {
  const doomed = rows.filter((row) => expiredId(orderIdOf(row), now, days));
  await submitByPartition(client, doomed.map((row): TransactionAction => ['delete', { partitionKey: row.partitionKey!, rowKey: row.rowKey! }]));
  return doomed.length;
}

/**
 * The lower key bound of expired order ids: every id of an order placed before `cutoff` sorts after it
 * (ids count down), every id placed after it before it.
 */
export const expiredIdsAfter = (now: Date, retentionDays: number) => newOrderId(retentionCutoff(now, retentionDays)).slice(0, 9);

/**
 * Deletes the rows of time-bucket partitions whose orders are all older than the retention: buckets
 * sort newest first, so they are the partitions after the cutoff's bucket (up to `end`). A page at a
 * time and in transactions per partition; `keep` spares rows still needed (an order not yet final).
 * Returns how many rows it deleted; stops after `maxRows`, and the next run goes on.
 */
export async function deleteExpiredBuckets(
  client: TableClient,
  options: { now: Date; retentionDays: number; prefix?: string; end: string; keep?: (row: Record<string, unknown>) => boolean; alsoDelete?: (row: Record<string, unknown>) => TransactionAction[]; maxRows?: number },
): Promise<number> {
  const prefix = options.prefix ?? '';
  // The bucket of the cutoff itself may still hold younger orders: start after it.
  const first = `${prefix}${orderBucket(newOrderId(retentionCutoff(options.now, options.retentionDays)))}~`;
  const maxRows = options.maxRows ?? 5_000;
  let deleted = 0;
  while (deleted < maxRows) {
    const rows = await listAll<Record<string, unknown>>(client, odata`PartitionKey gt ${first} and PartitionKey lt ${options.end}`, 1_000);
    const doomed = rows.filter((row) => !options.keep?.(row));
    if (doomed.length === 0) break;
    const actions: TransactionAction[] = doomed.map((row) => ['delete', { partitionKey: String(row.partitionKey), rowKey: String(row.rowKey) }]);
    await submitByPartition(client, actions);
    const extra = doomed.flatMap((row) => options.alsoDelete?.(row) ?? []);
    for (const action of extra) await client.deleteEntity(String(action[1].partitionKey), String(action[1].rowKey)).catch(() => undefined);
    deleted += doomed.length;
    if (rows.length < 1_000) break;
  }
  return deleted;
}
