import type { InvocationContext } from '@azure/functions';
import type { TableClient } from '@azure/data-tables';
import type { EventFailure } from '../../shared/consumer';
import type { ServiceDeps } from '../../shared/deps';
import type { CafeEvent } from '../../shared/events';
import { withConflictRetry } from '../../shared/retry';
import { getOrUndefined, isNotFound, isPreconditionFailed } from '../../shared/tables';
import { TABLES } from '../../shared/topology';
import { isFinal, progress, type Order, type ProgressEvent } from './order';
import { OPEN_PARTITION, ORDER_ROW, fromRow, toRow, type OrderRow } from './rows';

class UnknownOrderError extends Error {
  override name = 'UnknownOrderError';
}

async function applyOne(client: TableClient, event: ProgressEvent, now: Date): Promise<{ order: Order; emit?: CafeEvent; changed: boolean }> {
  return withConflictRetry(async () => {
    const row = await getOrUndefined<OrderRow>(client, event.orderId, ORDER_ROW);
    if (!row) throw new UnknownOrderError(`order ${event.orderId} does not exist`);
    const order = fromRow(row);
    const result = progress(order, event, now);
    if (result.next) {
      await client.updateEntity(toRow(result.next), 'Replace', { etag: row.etag });
    }
    return { order: result.next ?? order, changed: result.next !== undefined, ...(result.emit ? { emit: result.emit } : {}) };
  }, isPreconditionFailed);
}

/**
 * Moves orders along as the other services report. Final outcomes are published, then the order's
 * open row is removed: if the publish fails, the open row keeps the sweep re-driving the order.
 */
export function createOrderProgress(deps: ServiceDeps) {
  return async function trackOrders(events: ProgressEvent[], context: InvocationContext): Promise<EventFailure[]> {
    const client = await deps.table(TABLES.orders);
    const failures: EventFailure[] = [];
    const finals: { source: ProgressEvent; order: Order; emit: CafeEvent }[] = [];

    for (const event of events) {
      try {
        const { order, emit, changed } = await applyOne(client, event, deps.now());
        if (emit) finals.push({ source: event, order, emit });
        if (changed) {
          const latencyMs = Date.parse(order.updatedAt) - Date.parse(order.createdAt);
          context.log(`order ${order.status} orderId=${order.id} storeId=${order.storeId} latencyMs=${latencyMs}${order.reason ? ` reason=${order.reason}` : ''}`);
        }
      } catch (error) {
        failures.push({ eventId: event.id, error, permanent: error instanceof UnknownOrderError });
      }
    }

    if (finals.length === 0) return failures;
    try {
      await deps.publisher.publish([...new Map(finals.map((f) => [f.emit.id, f.emit])).values()]);
    } catch (error) {
      return [...failures, ...finals.map((f) => ({ eventId: f.source.id, error }))];
    }
    for (const f of finals) {
      if (!isFinal(f.order.status)) continue;
      try {
        await client.deleteEntity(OPEN_PARTITION, f.order.id);
      } catch (error) {
        if (!isNotFound(error)) context.warn(`could not close open row of ${f.order.id}; the sweep will`, error);
      }
    }
    return failures;
  };
}
