import type { InvocationContext } from '@azure/functions';
import type { TableClient, TableEntityResult } from '@azure/data-tables';
import type { ServiceDeps } from '../../shared/deps';
import { OrderPlaced, type CafeEvent } from '../../shared/events';
import { createIfAbsent, deleteIfPresent, getOrUndefined, isNotFound, isPreconditionFailed, listAll, odata } from '../../shared/tables';
import { TABLES } from '../../shared/topology';
import { finalEvent, isFinal, type Order } from './order';
import { OPEN_PARTITION, ORDER_ROW, fromRow, toRow, type OpenRow, type OrderRow } from './rows';

const MAX_BACKOFF_SECONDS = 600;
const PAGE = 200;
/** A sweep stops taking new pages after this long, so runs do not pile up behind each other. */
const BUDGET_MS = 20_000;

/** Waits longer after each nudge, so a stuck order does not flood the hub. */
export function nextNudge(now: Date, nudgeAfterSeconds: number, nudges: number): Date {
  const seconds = Math.min(MAX_BACKOFF_SECONDS, nudgeAfterSeconds * 2 ** nudges);
  return new Date(now.getTime() + seconds * 1000);
}

type Step = { publish?: CafeEvent; close?: boolean };

/**
 * What to do with one open order: a final order has its outcome published again (its own publish
 * may have failed) and is closed; an order the intake never stored is dropped unless a client can
 * still come back for it with its Idempotency-Key; any other order is nudged.
 */
async function sweepOne(client: TableClient, open: TableEntityResult<OpenRow>, deps: ServiceDeps, now: Date): Promise<Step> {
  const orderId = open.rowKey!;
  const event = OrderPlaced.parse(JSON.parse(open.event));
  const row = await getOrUndefined<OrderRow>(client, orderId, ORDER_ROW);
  if (row && isFinal(row.status)) return { publish: finalEvent(fromRow(row), now), close: true };
  if (!row) {
    if (!open.idempotent) {
      // The client never got a 202 for it and cannot name it again: placing it now would only risk a
      // duplicate of the order it placed on retrying.
      await deleteIfPresent(client, OPEN_PARTITION, orderId, open.etag);
      return {};
    }
    const order: Order = {
      id: orderId,
      storeId: event.storeId,
      customerId: event.customerId,
      items: event.items.map(({ menuItemId, quantity }) => ({ menuItemId, quantity })),
      cups: event.cups,
      status: 'pending',
      createdAt: event.occurredAt,
      updatedAt: event.occurredAt,
    };
    await createIfAbsent(client, toRow(order));
  }
  try {
    const nudges = open.nudges + 1;
    await client.updateEntity(
      { partitionKey: OPEN_PARTITION, rowKey: orderId, nudges, nextNudgeAt: nextNudge(now, deps.settings.orderNudgeAfterSeconds, nudges).toISOString() },
      'Merge',
      { etag: open.etag },
    );
  } catch (error) {
    if (isPreconditionFailed(error) || isNotFound(error)) return {}; // another sweep or the final event got there first
    throw error;
  }
  return { publish: event };
}

/**
 * Re-drives orders that are not final after a while by publishing their OrderPlaced again. Every
 * consumer is idempotent and replays its recorded outcome, so one nudge carries the order as far as
 * it can go, whichever publish was lost on the way.
 */
export function createOrderSweep(deps: ServiceDeps) {
  return async function sweepOpenOrders(_timer: unknown, context: InvocationContext): Promise<void> {
    const client = await deps.table(TABLES.orders);
    const started = Date.now();
    const now = deps.now();
    let failed = 0;
    for (;;) {
      const due = await listAll<OpenRow>(client, odata`PartitionKey eq ${OPEN_PARTITION} and nextNudgeAt le ${now.toISOString()}`, PAGE);
      const steps: { orderId: string; step: Step }[] = [];
      for (const open of due) {
        try {
          steps.push({ orderId: open.rowKey!, step: await sweepOne(client, open, deps, now) });
        } catch (error) {
          failed++;
          context.error(`sweep could not handle open order ${open.rowKey}; it stays open`, error);
        }
      }
      const events = steps.flatMap((s) => (s.step.publish ? [s.step.publish] : []));
      if (events.length > 0) {
        await deps.publisher.publish(events);
        for (const s of steps) if (s.step.close) await deleteIfPresent(client, OPEN_PARTITION, s.orderId);
        context.log(`sweep re-published ${events.map((e) => `${e.type} for ${e.orderId}`).join(', ')}`);
      }
      // A full page may hide more due orders; rows handled above are no longer due, failed ones are.
      if (due.length < PAGE || steps.length === 0 || Date.now() - started > BUDGET_MS) break;
    }
    if (failed > 0) throw new Error(`${failed} open order(s) could not be swept`);
  };
}
