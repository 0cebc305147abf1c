/**
 * Pure decisions of a store's machine queue. A store with `machines = N` brews at most N orders at
 * once; the others wait, first in first out, as entries of the store's queue partition (see rows.ts).
 *
 * An entry is `queued` until a scheduler claims a machine for it (`starting`, with the time it starts
 * and is ready), and `brewing` once its job row exists and its start was announced. A claimed entry
 * holds its machine until its `readyAt`: brewing takes a known time, so a machine frees itself then,
 * without a write, as a job completes itself (see `asOf` in brewing.ts).
 */

export type EntryState = 'queued' | 'starting' | 'brewing';

export interface QueueEntry {
  /** The entry's row key: it sorts entries by arrival at beverages. */
  key: string;
  orderId: string;
  storeId: string;
  customerId: string;
  items: { menuItemId: string; quantity: number }[];
  /** The order's brewing time on one machine, fixed when it was queued. */
  brewSeconds: number;
  state: EntryState;
  startedAt?: string;
  readyAt?: string;
  /** The W3C trace context of the reservation that queued the order: it starts in that trace. */
  traceparent?: string;
}

/** Whether an entry holds a machine at `now`. */
export function occupies(entry: QueueEntry, now: Date): boolean {
  return entry.state !== 'queued' && entry.readyAt !== undefined && Date.parse(entry.readyAt) > now.getTime();
}

export interface QueuePlan {
  /** Queued entries that get a machine now, in queue order, as they are to be claimed. */
  start: QueueEntry[];
  /** Claimed entries whose start was not finished (a crash, a failed publish): to be finished. */
  resume: QueueEntry[];
  /** Brewing entries whose machine is free again: nothing more to do for them. */
  finished: QueueEntry[];
  /** Queued entries left waiting for a machine after this plan. */
  waiting: number;
}

/**
 * What the queue comes to at `now` with `machines` machines (`null`: unlimited, so every queued
 * entry starts, as when a store's limit was removed while orders waited). Strictly first in first
 * out: an order never starts before one queued ahead of it. An order that takes no time (a brewing
 * time of 0) starts without holding a machine.
 */
export function planQueue(entries: readonly QueueEntry[], machines: number | null, now: Date): QueuePlan {
  const sorted = [...entries].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  let free = machines === null ? Number.POSITIVE_INFINITY : machines - sorted.filter((e) => occupies(e, now)).length;
  const start: QueueEntry[] = [];
  for (const entry of sorted) {
    if (entry.state !== 'queued') continue;
    if (entry.brewSeconds > 0) {
      if (free <= 0) break;
      free--;
    }
    start.push(claim(entry, now));
  }
  return {
    start,
    resume: sorted.filter((e) => e.state === 'starting'),
    finished: sorted.filter((e) => e.state === 'brewing' && !occupies(e, now)),
    waiting: sorted.filter((e) => e.state === 'queued').length - start.length,
  };
}

/** A queued entry given a machine at `now`: it is ready its brewing time later. */
export function claim(entry: QueueEntry, now: Date): QueueEntry {
  return { ...entry, state: 'starting', startedAt: now.toISOString(), readyAt: new Date(now.getTime() + entry.brewSeconds * 1000).toISOString() };
}
