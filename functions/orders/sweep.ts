import type { InvocationContext } from '@azure/functions';
import type { TableClient, TableEntityResult } from '@azure/data-tables';
import type { ServiceDeps } from '../../shared/deps';
import { OrderPlaced, type CafeEvent } from '../../shared/events';
import { createIfAbsent, deleteIfPresent, getOrUndefined, isNotFound, isPreconditionFailed, listAll, odata } from '../../shared/tables';
import { TABLES } from '../../shared/topology';
import { awaitingCancel, recordCancel } from './cancel';
import { CANCEL_REASONS, cancelRequested, deadlineOf, finalEvent, isFinal, overdue, type Order } from './order';
import { OPEN_PARTITION, fromRow, orderAt, toRow, type OpenRow, type OrderRow } from './rows';
import { SpanBatch, SpanKind, contextFromTraceparent } from '../../shared/tracing';

const MAX_BACKOFF_SECONDS = 600;
const PAGE = 200;
/**
 * Nudges an order gets before it is left to its deadline. A nudge helps when a publish was lost (the
 * intake's, or one a consumer could neither make nor park); a few cover that. Beyond them, an order
 * that still stands is waiting in a backlog, and re-publishing only adds to the backlog.
 */
export const MAX_NUDGES = 3;
/** Events one sweep run publishes at most, so a backlog cannot turn the sweep into a retry storm. */
const MAX_PUBLISHED_PER_RUN = 200;
/** A sweep stops taking new pages after this long, so runs do not pile up behind each other. */
const BUDGET_MS = 20_000;

/**
 * Waits longer after each nudge, so a stuck order does not flood the hub; but never past the order's
 * deadline, so a timed-out order is cancelled on time.
 */
export function nextNudge(now: Date, nudgeAfterSeconds: number, nudges: number, deadline?: Date): Date {
  const seconds = Math.min(MAX_BACKOFF_SECONDS, nudgeAfterSeconds * 2 ** nudges);
  const next = now.getTime() + seconds * 1000;
  return new Date(deadline && deadline.getTime() > now.getTime() ? Math.min(next, deadline.getTime()) : next);
}

type Step = { publish?: CafeEvent; close?: boolean };

/**
 * What to do with one open order: a final order has its outcome published again (its own publish
 * may have failed) and is closed; an order the intake never stored is dropped unless a client can
 * still come back for it with its Idempotency-Key; an order past its deadline before brewing has a
 * cancel requested (a brewing one is reported once as stuck); a cancel not yet answered is asked
 * again; any other order is nudged.
 */
async function sweepOne(client: TableClient, open: TableEntityResult<OpenRow>, deps: ServiceDeps, now: Date, context: InvocationContext): Promise<Step> {
  const orderId = open.rowKey!;
  const event = OrderPlaced.parse(JSON.parse(open.event));
  const at = orderAt(orderId);
  const row = await getOrUndefined<OrderRow>(client, at.partitionKey, at.rowKey);
  if (row && isFinal(row.status)) return { publish: finalEvent(fromRow(row), now), close: true };
  let order: Order;
  if (row) {
    order = fromRow(row);
  } else {
    if (!open.idempotent) {
      // The client never got a 202 for it and cannot name it again: placing it now would only risk a
      // duplicate of the order it placed on retrying.
      await deleteIfPresent(client, OPEN_PARTITION, orderId, open.etag);
      return {};
    }
    order = {
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

  const deadlineSeconds = deps.settings.orderDeadlineSeconds;
  const due = overdue(order, now, deadlineSeconds);
  if (due === 'cancel') {
    const recorded = await recordCancel(client, orderId, CANCEL_REASONS.timedOut, now);
    if (recorded) order = recorded.order;
    if (recorded?.decision.outcome === 'requested') context.warn(`order timed out orderId=${orderId} storeId=${order.storeId} status=${order.status}; cancel requested`);
  }
  const hold = due || awaitingCancel(order) ? undefined : holdUntil(order, open, now, deps.settings);
  if (hold) {
    await postpone(client, open, hold);
    return {};
  }
  const stuck = due === 'stuck-brewing' && !open.stuckReported;
  try {
    const nudges = open.nudges + 1;
    const nextNudgeAt = nextNudge(now, deps.settings.orderNudgeAfterSeconds, nudges, deadlineOf(order, deadlineSeconds)).toISOString();
    await client.updateEntity(
      { partitionKey: OPEN_PARTITION, rowKey: orderId, nudges, nextNudgeAt, ...(stuck ? { stuckReported: true } : {}) },
      'Merge',
      { etag: open.etag },
    );
  } catch (error) {
    if (isPreconditionFailed(error) || isNotFound(error)) return {}; // another sweep or the final event got there first
    throw error;
  }
  if (stuck) {
    // Brewing cannot be cancelled safely, so an operator must look (the alert rule matches this line).
    context.error(`stuck brewing orderId=${orderId} storeId=${order.storeId} createdAt=${order.createdAt} deadlineSeconds=${deadlineSeconds}`);
  }
  return { publish: awaitingCancel(order) ? cancelRequested(order) : event };
}

/**
 * When an order that is neither overdue nor awaiting a cancel answer should be looked at again instead
 * of nudged now; undefined means nudge it.
 *  - It changed status within the nudge delay: the saga is carrying it along (the consumers may just be
 *    behind), and a nudge would only add to their backlog. Look again once it has stood still that long.
 *  - Its OrderPlaced came through the hub (`seen`): every consumer sees its events in turn, and nothing
 *    lost can be found by nudging (consumers park or log what they cannot apply). Only its deadline counts.
 *  - It had its MAX_NUDGES already: wait for the deadline, or the backoff if that is later.
 */
export function holdUntil(order: Order, open: Pick<OpenRow, 'seen' | 'nudges'>, now: Date, settings: Pick<ServiceDeps['settings'], 'orderNudgeAfterSeconds' | 'orderDeadlineSeconds'>): Date | undefined {
  const nudgeAfter = settings.orderNudgeAfterSeconds;
  if (movedRecently(order, now, nudgeAfter)) return new Date(Date.parse(order.updatedAt) + 1000 * nudgeAfter);
  if (!open.seen && open.nudges < MAX_NUDGES) return undefined;
  const deadline = deadlineOf(order, settings.orderDeadlineSeconds);
  const backoff = nextNudge(now, nudgeAfter, open.nudges);
  if (open.seen) return deadline.getTime() > now.getTime() ? deadline : backoff;
  return deadline.getTime() > backoff.getTime() ? deadline : backoff;
}

/** Whether the order changed status within the last `seconds`: then it is moving, not stuck. */
export function movedRecently(order: Order, now: Date, seconds: number): boolean {
  return order.updatedAt !== order.createdAt && Date.parse(order.updatedAt) > now.getTime() - seconds * 1000;
}

async function postpone(client: TableClient, open: TableEntityResult<OpenRow>, at: Date): Promise<void> {
  try {
    await client.updateEntity({ partitionKey: OPEN_PARTITION, rowKey: open.rowKey!, nextNudgeAt: at.toISOString() }, 'Merge', { etag: open.etag });
  } catch (error) {
    if (!isPreconditionFailed(error) && !isNotFound(error)) throw error;
  }
}

/**
 * Re-drives orders that are not final after a while by publishing their OrderPlaced again. Every
 * consumer is idempotent and replays its recorded outcome, so one nudge carries the order as far as
 * it can go, whichever publish was lost on the way.
 */
export function createOrderSweep(deps: ServiceDeps) {
  async function sweepOpenOrders(_timer: unknown, context: InvocationContext): Promise<void> {
    // Each order is handled in a span of its own trace (stored with its open row by the intake), so a
    // re-published event goes on in the order's trace; the run's span links to them.
    const spans = new SpanBatch('sweepOpenOrders', SpanKind.INTERNAL);
    await spans.runToEnd(() => sweep(context, spans));
  }

  async function sweep(context: InvocationContext, spans: SpanBatch): Promise<void> {
    const client = await deps.table(TABLES.orders);
    const started = Date.now();
    const now = deps.now();
    let failed = 0;
    let published = 0;
    for (;;) {
      const due = await listAll<OpenRow>(client, odata`PartitionKey eq ${OPEN_PARTITION} and nextNudgeAt le ${now.toISOString()}`, PAGE);
      const steps: { orderId: string; step: Step }[] = [];
      for (const open of due) {
        const orderId = open.rowKey!;
        spans.add({ key: orderId, orderId, name: 'sweepOpenOrders order', parent: contextFromTraceparent(open.traceparent) });
        try {
          steps.push({ orderId, step: await sweepOne(client, open, deps, now, context) });
        } catch (error) {
          failed++;
          spans.fail(orderId, error);
          context.error(`sweep could not handle open order ${orderId}; it stays open`, error);
        }
      }
      const events = steps.flatMap((s) => (s.step.publish ? [s.step.publish] : []));
      if (events.length > 0) {
        await deps.publisher.publish(events);
        for (const s of steps) if (s.step.close) await deleteIfPresent(client, OPEN_PARTITION, s.orderId);
        context.log(`sweep re-published ${events.map((e) => `${e.type} for ${e.orderId}`).join(', ')}`);
        published += events.length;
      }
      // A full page may hide more due orders; rows handled above are no longer due, failed ones are.
      if (due.length < PAGE || steps.length === 0 || published >= MAX_PUBLISHED_PER_RUN || Date.now() - started > BUDGET_MS) break;
    }
    if (failed > 0) throw new Error(`${failed} open order(s) could not be swept`);
  }

  return sweepOpenOrders;
}
