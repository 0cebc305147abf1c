import type { InvocationContext } from '@azure/functions';
import type { TableClient } from '@azure/data-tables';
import { PermanentError, eachOrder, type EventFailure } from '../../shared/consumer';
import type { ServiceDeps } from '../../shared/deps';
import type { CafeEvent } from '../../shared/events';
import { withConflictRetry } from '../../shared/retry';
import { RowCache } from '../../shared/rowCache';
import { deleteIfPresent, getOrUndefined, isPreconditionFailed } from '../../shared/tables';
import { TABLES } from '../../shared/topology';
import { isFinal, progress, type Order, type ProgressEvent } from './order';
import { OPEN_PARTITION, ORDER_ROW, fromRow, toRow, type OrderRow } from './rows';

class UnknownOrderError extends PermanentError {
  override name = 'UnknownOrderError';
}

type CachedOrder = OrderRow & { partitionKey?: string; etag: string };

/**
 * Applies one order's events from a batch with one read (none when this instance wrote the order
 * last) and at most one conditional write.
 */
async function applyToOrder(
  client: TableClient,
  cache: RowCache<CachedOrder>,
  orderId: string,
  events: readonly ProgressEvent[],
  now: Date,
): Promise<{ before: Order; order: Order; emits: CafeEvent[] }> {
  return withConflictRetry(async () => {
    const row = cache.get(orderId) ?? (await getOrUndefined<OrderRow>(client, orderId, ORDER_ROW));
    if (!row) throw new UnknownOrderError(`order ${orderId} does not exist`);
    const before = fromRow(row);
    let order = before;
    const emits: CafeEvent[] = [];
    for (const event of events) {
      const result = progress(order, event, now);
      if (result.next) order = result.next;
      if (result.emit) emits.push(result.emit);
    }
    if (order !== before) {
      const entity = toRow(order);
      try {
        const written = await client.updateEntity(entity, 'Replace', { etag: row.etag });
        if (written.etag) cache.set(orderId, { ...entity, etag: written.etag });
      } catch (error) {
        cache.delete(orderId);
        throw error;
      }
    }
    return { before, order, emits };
  }, isPreconditionFailed);
}

/**
 * Moves orders along as the other services report. Final outcomes are published, then the order's
 * open row is removed: if the publish fails, the open row keeps the sweep re-driving the order.
 */
export function createOrderProgress(deps: ServiceDeps) {
  const cache = new RowCache<CachedOrder>();
  return async function trackOrders(events: ProgressEvent[], context: InvocationContext): Promise<EventFailure[]> {
    const client = await deps.table(TABLES.orders);
    const finals: { sources: ProgressEvent[]; order: Order; emit: CafeEvent }[] = [];
    const failures = await eachOrder(events, async (orderId, ofOrder) => {
      const { before, order, emits } = await applyToOrder(client, cache, orderId, ofOrder, deps.now());
      for (const emit of emits) finals.push({ sources: ofOrder, order, emit });
      if (order !== before) {
        const latencyMs = Date.parse(order.updatedAt) - Date.parse(order.createdAt);
        context.log(`order ${order.status} orderId=${order.id} storeId=${order.storeId} latencyMs=${latencyMs}${order.reason ? ` reason=${order.reason}` : ''}`);
      }
    });

    if (finals.length === 0) return failures;
    try {
      await deps.publisher.publish([...new Map(finals.map((f) => [f.emit.id, f.emit])).values()]);
    } catch (error) {
      const unpublished = new Set(finals.flatMap((f) => f.sources.map((e) => e.id)));
      return [...failures, ...[...unpublished].map((eventId) => ({ eventId, error }))];
    }
    for (const f of finals) {
      if (!isFinal(f.order.status)) continue;
      await deleteIfPresent(client, OPEN_PARTITION, f.order.id).catch((error: unknown) =>
        context.warn(`could not close open row of ${f.order.id}; the sweep will`, error),
      );
    }
    return failures;
  };
}
