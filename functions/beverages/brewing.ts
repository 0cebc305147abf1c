/** Pure brewing decisions. */
import { z } from 'zod';
import { makeEvent, type CafeEvent } from '../../shared/events';
import type { QueueEntry } from './queue';

/**
 * `cancelled` is a tombstone: the order was cancelled before any brewing, and never brews. An order
 * waiting for a machine has no job yet (only a queue entry), so a cancel that comes while it waits wins.
 */
export type BrewStatus = 'brewing' | 'completed' | 'cancelled';

export interface BrewJob {
  orderId: string;
  storeId: string;
  customerId: string;
  items: { menuItemId: string; quantity: number }[];
  status: BrewStatus;
  startedAt: string;
  readyAt: string;
  completedAt?: string;
  cancelReason?: string;
  /** The job took one of its store's limited machines (it came from the store's queue, see queue.ts). */
  queued?: boolean;
}

export function startBrewing(
  order: { orderId: string; storeId: string; customerId: string; items: { menuItemId: string; quantity: number }[] },
  now: Date,
  brewSeconds: number,
): BrewJob {
  return {
    orderId: order.orderId,
    storeId: order.storeId,
    customerId: order.customerId,
    items: order.items.map(({ menuItemId, quantity }) => ({ menuItemId, quantity })),
    status: 'brewing',
    startedAt: now.toISOString(),
    readyAt: new Date(now.getTime() + brewSeconds * 1000).toISOString(),
  };
}

/** The job of a queued order that was given a machine (its entry claimed, see queue.ts). */
export function startedFromQueue(entry: QueueEntry): BrewJob {
  return {
    orderId: entry.orderId,
    storeId: entry.storeId,
    customerId: entry.customerId,
    items: entry.items.map(({ menuItemId, quantity }) => ({ menuItemId, quantity })),
    status: 'brewing',
    startedAt: entry.startedAt!,
    readyAt: entry.readyAt!,
    queued: true,
  };
}

/**
 * The job row of an order cancelled before brewing. Job rows are insert-only and one per order, so
 * whichever comes first for an order, its reservation or its cancel, decides: a later reservation
 * finds the tombstone and brews nothing, a later cancel finds the job and has lost the race.
 */
export function cancelledJob(order: { orderId: string; storeId: string; customerId: string; reason: string }, now: Date): BrewJob {
  const at = now.toISOString();
  return { orderId: order.orderId, storeId: order.storeId, customerId: order.customerId, items: [], status: 'cancelled', startedAt: at, readyAt: at, cancelReason: order.reason };
}

/** What beverages announces about an order's job; the same answer however often it is asked. */
export function statusEvent(job: BrewJob, now: Date): CafeEvent {
  const base = { orderId: job.orderId, storeId: job.storeId, occurredAt: now.toISOString() };
  switch (job.status) {
    case 'completed':
      return makeEvent('BeverageCompleted', base);
    case 'cancelled':
      return makeEvent('BrewingCancelled', { ...base, reason: job.cancelReason ?? 'cancelled' });
    case 'brewing':
      return makeEvent('BrewingStarted', { ...base, readyAt: job.readyAt });
  }
}

export function isReady(job: BrewJob, now: Date): boolean {
  return job.status === 'brewing' && Date.parse(job.readyAt) <= now.getTime();
}

export function finish(job: BrewJob, now: Date): BrewJob {
  return job.status !== 'brewing' ? job : { ...job, status: 'completed', completedAt: now.toISOString() };
}

/**
 * The job as it stands at `now`: brewing takes a known time, so a brewing job whose `readyAt` has
 * passed is completed (at `readyAt`) without anything being written. The stored row stays as it was
 * inserted; only the announcement (BeverageCompleted) is work for the completion sweep.
 */
export function asOf(job: BrewJob, now: Date): BrewJob {
  return isReady(job, now) ? { ...job, status: 'completed', completedAt: job.readyAt } : job;
}

/** One beverage as `GET /beverages` answers it. */
export const Beverage = z
  .object({
    id: z.string(),
    orderId: z.string(),
    storeId: z.string(),
    menuItemId: z.string(),
    quantity: z.int(),
    status: z.enum(['brewing', 'completed']),
    startedAt: z.iso.datetime(),
    readyAt: z.iso.datetime().meta({ description: 'When the machine is due to finish.' }),
    completedAt: z.iso.datetime().optional(),
  })
  .meta({ id: 'Beverage' });

/** The public view: one beverage per order line; a cancelled order has none. */
export function beverages(job: BrewJob): z.infer<typeof Beverage>[] {
  const status = job.status;
  if (status === 'cancelled') return [];
  return job.items.map((item, index) => ({
    id: `${job.orderId}-${index + 1}`,
    orderId: job.orderId,
    storeId: job.storeId,
    menuItemId: item.menuItemId,
    quantity: item.quantity,
    status,
    startedAt: job.startedAt,
    readyAt: job.readyAt,
    ...(job.completedAt ? { completedAt: job.completedAt } : {}),
  }));
}
