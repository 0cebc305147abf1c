import type { InvocationContext } from '@azure/functions';
import type { ServiceDeps } from '../../shared/deps';
import { OrderPlaced } from '../../shared/events';
import { getOrUndefined, isConflict, isNotFound, isPreconditionFailed, listAll, odata } from '../../shared/tables';
import { TABLES } from '../../shared/topology';
import { isFinal, type Order } from './order';
import { OPEN_PARTITION, ORDER_ROW, toRow, type OpenRow, type OrderRow } from './rows';

const MAX_BACKOFF_SECONDS = 600;
const PAGE = 200;

/** Waits longer after each nudge, so a stuck order does not flood the hub. */
export function nextNudge(now: Date, nudgeAfterSeconds: number, nudges: number): Date {
  const seconds = Math.min(MAX_BACKOFF_SECONDS, nudgeAfterSeconds * 2 ** nudges);
  return new Date(now.getTime() + seconds * 1000);
}

/**
 * Re-drives orders that are not final after a while by publishing their OrderPlaced again. Every
 * consumer is idempotent and replays its recorded outcome, so one nudge carries the order as far as
 * it can go, whichever publish was lost on the way.
 */
export function createOrderSweep(deps: ServiceDeps) {
  return async function sweepOpenOrders(_timer: unknown, context: InvocationContext): Promise<void> {
    const client = await deps.table(TABLES.orders);
    const now = deps.now();
    const due = await listAll<OpenRow>(
      client,
      odata`PartitionKey eq ${OPEN_PARTITION} and nextNudgeAt le ${now.toISOString()}`,
      PAGE,
    );
    const nudged: OrderPlaced[] = [];
    for (const open of due) {
      const orderId = open.rowKey!;
      const event = OrderPlaced.parse(JSON.parse(open.event));
      const row = await getOrUndefined<OrderRow>(client, orderId, ORDER_ROW);
      if (row && isFinal(row.status)) {
        await client.deleteEntity(OPEN_PARTITION, orderId).catch((e: unknown) => {
          if (!isNotFound(e)) throw e;
        });
        continue;
      }
      if (!row) {
        // The intake died between its two writes: the open row carries everything the order needs.
        const order: Order = {
          id: orderId, storeId: event.storeId, customerId: event.customerId, items: event.items.map(({ menuItemId, quantity }) => ({ menuItemId, quantity })),
          cups: event.cups, status: 'pending', createdAt: event.occurredAt, updatedAt: event.occurredAt,
        };
        await client.createEntity(toRow(order)).catch((e: unknown) => {
          if (!isConflict(e)) throw e;
        });
      }
      try {
        await client.updateEntity(
          { partitionKey: OPEN_PARTITION, rowKey: orderId, nudges: open.nudges + 1, nextNudgeAt: nextNudge(now, deps.settings.orderNudgeAfterSeconds, open.nudges + 1).toISOString() },
          'Merge',
          { etag: open.etag },
        );
      } catch (error) {
        if (isPreconditionFailed(error) || isNotFound(error)) continue; // another sweep or the final event got there first
        throw error;
      }
      nudged.push(event);
    }
    if (nudged.length === 0) return;
    await deps.publisher.publish(nudged);
    context.log(`sweep re-published OrderPlaced for ${nudged.length} open order(s): ${nudged.map((e) => e.orderId).join(', ')}`);
  };
}
