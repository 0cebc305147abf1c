import type { TableClient, TransactionAction } from '@azure/data-tables';
import { newOrderId, orderBucket } from './identifiers';
import { listAll, odata, submitByPartition } from './tables';

/** How long finished records are kept (RETENTION_DAYS); Table Storage has no TTL, so a timer deletes. */
export function retentionCutoff(now: Date, retentionDays: number): Date {
  return new Date(now.getTime() - retentionDays * 86_400_000);
}

/** Whether an order id names an order older than the retention (so its records may be gone). */
export function expiredOrder(placedAt: Date | undefined, now: Date, retentionDays: number): boolean {
  return placedAt !== undefined && placedAt.getTime() < retentionCutoff(now, retentionDays).getTime();
}

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
