import { AsyncResource } from 'node:async_hooks';
import { InvocationContext } from '@azure/functions';
import { ROOT_CONTEXT, context as otel } from '@opentelemetry/api';
import { groupBy } from '../../shared/collections';
import type { TableClient, TransactionAction } from '@azure/data-tables';
import type { EventFailure } from '../../shared/consumer';
import type { ServiceDeps } from '../../shared/deps';
import { makeEvent, type CafeEvent, type CancelRequested, type CupsReserved } from '../../shared/events';
import { withConflictRetry } from '../../shared/retry';
import { createStoreSettingsReader, orderBrewSeconds, type StoreSettingsReader } from '../../shared/storeSettings';
import { MAX_TRANSACTION_OPERATIONS, createIfAbsent, deleteIfPresent, getOrUndefined, isNotFound, isTransactionConflict, listAll, odata, submitByPartition } from '../../shared/tables';
import { TABLES } from '../../shared/topology';
import { asOf, cancelledJob, startBrewing, startedFromQueue, statusEvent, type BrewJob } from './brewing';
import { planQueue, type QueueEntry } from './queue';
import { SpanBatch, SpanKind, contextFromTraceparent, traceparentForOrder } from '../../shared/tracing';
import { withoutExpired } from '../../shared/retention';
import {
  DUE_PARTITION,
  ENTRY_PREFIX,
  JOB_ROW,
  MACHINES_ROW,
  entriesFilter,
  entryKey,
  fromEntryRow,
  fromRow,
  indexKey,
  lookFilter,
  queuePartition,
  toDueRow,
  toEntryRow,
  toRow,
  type DueRow,
  type EntryRow,
  type IndexRow,
  type JobRow,
  type MachinesRow,
} from './rows';

const SWEEP_PAGE = 100;
const EMPTY_QUEUE_MEMORY_MS = 30_000;
const SWEEP_BUDGET_MS = 20_000;
/**
 * How long one call keeps looking at a store's queue while each look gives a machine back (an order
 * cancelled after it was claimed, a job started elsewhere): a budget of time, not of looks, so a run
 * of cancelled orders at the front cannot keep a free machine from the live order behind them.
 */
const SCHEDULE_BUDGET_MS = 5_000;
/**
 * How often the completion sweep looks at the queues this instance knows still hold waiting orders:
 * nothing else looks when a store's `machines` is raised while no job of it completes.
 */
const WAITING_LOOK_EVERY_MS = 5_000;
/** Claims one look writes at most: with the machines row and the removals, one transaction. */
const MAX_CLAIMS = 60;

export interface BrewerOptions {
  /**
   * Also complete jobs from an in-process timer set to the earliest `readyAt` this instance started,
   * so a drink is announced when it is ready rather than at the next tick of the sweep's schedule. The
   * timer trigger stays as the backstop (another instance, a restart). Off in tests, which drive the
   * clock themselves.
   */
  completeWhenDue?: boolean;
  /** The stores' settings (machines, brewing times); the process's one reader in production. */
  storeSettings?: StoreSettingsReader;
}

/**
 * What one event of a brew batch came to: its job as it stands, and whether this call created it; or,
 * in a store with limited machines, that the order waits in the store's queue (it has no job yet).
 */
type Decided = { source: CupsReserved | CancelRequested; job: BrewJob; created: boolean };
type Queued = { source: CupsReserved; queuedIn: string };
type Outcome = Decided | Queued;

const BREWING = new Set(['CupsReserved'] as const);

export function createBrewer(deps: ServiceDeps, options: BrewerOptions = {}) {
  const jobs = () => deps.table(TABLES.beverages);
  const stores = options.storeSettings ?? createStoreSettingsReader(() => deps.table(TABLES.stores), { now: () => deps.now().getTime() });
  // Arrival order at this instance, for the queue's first in, first out within one clock tick.
  let arrivals = 0;
  /** Stores whose queue held orders waiting for a machine at this instance's last look. */
  const waiting = new Set<string>();
  /** Stores without a machine limit whose queue this instance found empty, and when. */
  const emptyQueues = new Map<string, number>();
  let lastWaitingLook = 0;
  const wakeUp = options.completeWhenDue ? completionAlarm(() => completeReady(undefined, new InvocationContext({ functionName: 'completeBeverages' }))) : undefined;

  /**
   * The order's one job row: inserted by the first event to arrive, read back by any later one. In a
   * store with limited machines a reservation queues the order instead (unless it has a job already):
   * its job is inserted when it gets a machine, so a cancel that comes first still wins.
   */
  async function decide(event: CupsReserved | CancelRequested, now: Date, arrival: number, context: InvocationContext): Promise<Outcome> {
    const client = await jobs();
    let fresh: BrewJob;
    if (event.type === 'CupsReserved') {
      const settings = await stores.get(event.storeId);
      const seconds = orderBrewSeconds(settings, event.items, deps.settings.brewSeconds);
      // While a store's queue holds orders (its limit was just removed, or this is a redelivery of an
      // order still queued), new orders go through it too: none starts ahead of one queued before it.
      if (settings.machines !== null) emptyQueues.delete(event.storeId);
      if (settings.machines !== null || (await hasQueue(event.storeId))) return queueUp(event, seconds, now, arrival, context);
      fresh = startBrewing(event, now, seconds);
    } else {
      fresh = cancelledJob(event, now);
    }
    const { job, created } = await insertOrReadJob(client, fresh, now);
    if (event.type === 'CancelRequested' && job.status !== 'cancelled') {
      context.log(`cancel came too late orderId=${event.orderId}: brewing already ${job.status}`);
    }
    // A cancel that won (again, if redelivered after a crash) takes the order out of its store's queue.
    if (event.type === 'CancelRequested' && job.status === 'cancelled') await leaveQueue(event.storeId, event.orderId, context);
    return { source: event, job, created };
  }

  /**
   * Whether a store without a machine limit still has orders queued from when it had one. An empty
   * queue is remembered for a while: only an instance that still believes in the limit (its settings at
   * most a cache period old) can queue there, and the sweep's looks start whatever it queued, so a
   * reservation of an unlimited store costs no read of the queue but one per store every 30 s.
   */
  async function hasQueue(storeId: string): Promise<boolean> {
    const seenEmpty = emptyQueues.get(storeId);
    if (seenEmpty !== undefined && deps.now().getTime() - seenEmpty < EMPTY_QUEUE_MEMORY_MS) return false;
    const queued = (await listAll(await jobs(), entriesFilter(storeId), 1)).length > 0;
    if (queued) emptyQueues.delete(storeId);
    else {
      emptyQueues.set(storeId, deps.now().getTime());
      if (emptyQueues.size > 10_000) emptyQueues.delete(emptyQueues.keys().next().value!);
    }
    return queued;
  }

  /**
   * Removes a cancelled order's entry and index row from its store's queue, so it holds no place
   * there until the queue reaches it. An entry already claimed held a machine: the store's queue is
   * looked at again. The entry goes first: a crash in between leaves the index row, which a redelivered
   * cancel removes. A look that claimed the entry meanwhile finds the tombstone and gives the machine back.
   */
  async function leaveQueue(storeId: string, orderId: string, context: InvocationContext): Promise<void> {
    const client = await jobs();
    const partitionKey = queuePartition(storeId);
    const index = await getOrUndefined<IndexRow>(client, partitionKey, indexKey(orderId));
    if (!index) return;
    const entry = await getOrUndefined<EntryRow>(client, partitionKey, index.entry);
    if (entry) await deleteIfPresent(client, partitionKey, index.entry);
    await deleteIfPresent(client, partitionKey, indexKey(orderId));
    if (entry && entry.state !== 'queued') await schedule(storeId, context);
  }

  /**
   * Puts an order at the back of its store's queue: the entry and its index row in one transaction,
   * so a redelivered reservation (the index row exists) queues nothing twice. An order that has a job
   * (started, done, or cancelled before it was queued) is not queued again.
   */
  async function queueUp(event: CupsReserved, brewSeconds: number, now: Date, arrival: number, context: InvocationContext): Promise<Outcome> {
    const client = await jobs();
    const row = await getOrUndefined<JobRow>(client, event.orderId, JOB_ROW);
    if (row) return { source: event, job: asOf(fromRow(row), now), created: false };
    const traceparent = traceparentForOrder(event.orderId);
    const entry: QueueEntry = {
      key: entryKey(now, arrival, event.orderId),
      orderId: event.orderId,
      storeId: event.storeId,
      customerId: event.customerId,
      items: event.items.map(({ menuItemId, quantity }) => ({ menuItemId, quantity })),
      brewSeconds,
      state: 'queued',
      // The order's trace, for the BrewingStarted a later look at the queue announces for it.
      ...(traceparent ? { traceparent } : {}),
    };
    try {
      await client.submitTransaction([
        ['create', toEntryRow(entry)],
        ['create', { partitionKey: queuePartition(event.storeId), rowKey: indexKey(event.orderId), entry: entry.key }],
      ]);
    } catch (error) {
      if (!isTransactionConflict(error)) throw error;
    }
    // A cancel inserts its tombstone, then looks for the index row; a reservation queues, then looks
    // for the tombstone: whichever of two concurrent ones goes second sees the other and dequeues.
    const cancelled = await getOrUndefined<JobRow>(client, event.orderId, JOB_ROW);
    if (cancelled) {
      const job = asOf(fromRow(cancelled), now);
      if (job.status === 'cancelled') await leaveQueue(event.storeId, event.orderId, context);
      return { source: event, job, created: false };
    }
    return { source: event, queuedIn: event.storeId };
  }

  /**
   * Starts one brewing job per order whose cups were reserved, or records that an order asked to be
   * cancelled will never brew. Both insert the order's one job row, so the first to arrive decides
   * between a cancel and a brew; a redelivered event, or the loser, finds the row and re-announces
   * its state instead of deciding again. The due entries of a batch go in one transaction, before
   * anything is announced. Orders queued for a machine are then offered to their store's machines.
   */
  async function brew(batch: (CupsReserved | CancelRequested)[], context: InvocationContext): Promise<EventFailure[]> {
    const client = await jobs();
    const now = deps.now();
    // The retention timer deletes the jobs of orders that old: a late copy must not brew again.
    const events = withoutExpired(batch, BREWING, now, deps.settings.retentionDays, context);
    const failures: EventFailure[] = [];
    const outcomes: Decided[] = [];
    const queued: Queued[] = [];
    const first = arrivals;
    arrivals = (arrivals + events.length) % 1e9;
    const settled = await Promise.allSettled(events.map((event, i) => decide(event, now, first + i, context)));
    settled.forEach((result, i) => {
      if (result.status === 'rejected') failures.push({ eventId: events[i]!.id, error: result.reason });
      else if ('queuedIn' in result.value) queued.push(result.value);
      else outcomes.push(result.value);
    });

    const brewing = outcomes.filter((o) => o.job.status === 'brewing');
    const dueRows = new Map(brewing.map((o) => [o.job.orderId, toDueRow(o.job, traceparentForOrder(o.job.orderId))]));
    try {
      await submitByPartition(client, [...dueRows.values()].map((row): TransactionAction => ['upsert', row, 'Replace']));
    } catch (error) {
      // Nothing was announced yet: the retry finds the jobs and writes their entries again.
      return [...failures, ...brewing.map((o) => ({ eventId: o.source.id, error }))];
    }

    const outgoing = outcomes.flatMap((o) => announce(o.job, o.created, now).map((event) => ({ source: o.source, event })));
    if (outgoing.length > 0) {
      try {
        await deps.publisher.publish(outgoing.map((o) => o.event));
        context.log(`brewing ${outcomes.length} order(s)`);
      } catch (error) {
        failures.push(...outgoing.map((o) => ({ eventId: o.source.id, error })));
      }
    }
    for (const o of brewing) wakeUp?.(Date.parse(o.job.readyAt));

    for (const [storeId, waiting] of groupBy(queued, (o) => o.queuedIn)) {
      try {
        await schedule(storeId, context);
      } catch (error) {
        // The orders are queued; the retry finds them queued and offers them to the machines again.
        failures.push(...waiting.map((o) => ({ eventId: o.source.id, error })));
      }
    }
    return failures;
  }

  /**
   * Gives a store's free machines to the orders at the front of its queue. Safe to run anywhere at
   * any time (a reservation, a completion, two instances at once): each look claims machines in one
   * transaction with the store's machines row, ETag-guarded, and a conflict looks again.
   */
  async function schedule(storeId: string, context: InvocationContext): Promise<void> {
    const started = Date.now();
    for (;;) {
      // A claim also fails on an entry a cancel removed since the look read it (404): look again.
      const look = await withConflictRetry(() => lookAtQueue(storeId, context), (error) => isTransactionConflict(error) || isNotFound(error));
      // Out of budget with machines still to give: the sweep's look at waiting queues goes on.
      if (look.waiting || look.again) rememberWaiting(storeId);
      else waiting.delete(storeId);
      if (!look.again || Date.now() - started > SCHEDULE_BUDGET_MS) return;
    }
  }

  function rememberWaiting(storeId: string): void {
    if (waiting.size < 10_000) waiting.add(storeId);
  }

  /**
   * One look at a store's queue; says whether to look again (a machine was given back) and whether
   * orders still wait for a machine.
   */
  async function lookAtQueue(storeId: string, context: InvocationContext): Promise<{ again: boolean; waiting: boolean }> {
    const client = await jobs();
    const partitionKey = queuePartition(storeId);
    const now = deps.now();
    const { machines } = await stores.get(storeId);
    const rows = await listAll<Partial<EntryRow & MachinesRow>>(client, lookFilter(storeId));
    const guard = rows.find((r) => r.rowKey === MACHINES_ROW);
    const entries = rows.filter((r) => r.rowKey!.startsWith(ENTRY_PREFIX)).map((r) => fromEntryRow(storeId, r as typeof r & EntryRow));
    const etags = new Map(rows.map((r) => [r.rowKey!, r.etag]));
    const plan = planQueue(entries, machines, now);
    const start = plan.start.slice(0, MAX_CLAIMS);
    const finished = plan.finished.slice(0, Math.floor((MAX_TRANSACTION_OPERATIONS - 1 - start.length) / 2));
    const more = start.length < plan.start.length || finished.length < plan.finished.length;
    if (start.length + finished.length > 0) {
      // The machines row goes first: a scheduler that decided on a state since changed fails on it.
      const claims = (guard?.claims ?? 0) + start.length;
      await client.submitTransaction([
        guard ? ['update', { partitionKey, rowKey: MACHINES_ROW, claims }, 'Replace', { etag: guard.etag }] : ['create', { partitionKey, rowKey: MACHINES_ROW, claims }],
        ...start.map((e): TransactionAction => ['update', toEntryRow(e), 'Replace', { etag: etags.get(e.key) }]),
        ...finished.flatMap((e): TransactionAction[] => [
          ['delete', { partitionKey, rowKey: e.key }],
          ['delete', { partitionKey, rowKey: indexKey(e.orderId) }],
        ]),
      ]);
    }
    const left = plan.waiting + plan.start.length - start.length > 0;
    const claimed = [...plan.resume, ...start];
    if (claimed.length === 0) return { again: more, waiting: left };
    return { again: (await startClaimed(storeId, claimed, now, context)) || more, waiting: left };
  }

  /**
   * Starts the orders given a machine: inserts each one's job (a cancel that came first has left a
   * tombstone, and wins), writes the due entries, announces BrewingStarted, then marks the entries
   * brewing; an order cancelled meanwhile gives its machine back. A crash at any step leaves the entry
   * claimed, and the next look at the queue finishes it. Says whether a machine was given back.
   */
  async function startClaimed(storeId: string, claimed: QueueEntry[], now: Date, context: InvocationContext): Promise<boolean> {
    // Each order starts in a span of its own trace (kept with its queue entry), whichever order's
    // completion or reservation gave it the machine.
    const spans = new SpanBatch('startQueuedBeverages', SpanKind.INTERNAL, claimed.map((e) => ({ key: e.orderId, orderId: e.orderId, name: 'startQueuedBeverages BrewingStarted', parent: contextFromTraceparent(e.traceparent) })));
    return spans.runToEnd(() => startInSpans(storeId, claimed, now, context));
  }

  async function startInSpans(storeId: string, claimed: QueueEntry[], now: Date, context: InvocationContext): Promise<boolean> {
    const client = await jobs();
    const partitionKey = queuePartition(storeId);
    const results = await Promise.all(
      claimed.map(async (entry) => {
        return { entry, ...(await insertOrReadJob(client, startedFromQueue(entry), now)) };
      }),
    );
    const released = results.filter((r) => r.job.status === 'cancelled');
    const started = results.filter((r) => r.job.status !== 'cancelled');
    await submitByPartition(client, started.filter((r) => r.job.status === 'brewing').map((r): TransactionAction => ['upsert', toDueRow(r.job, r.entry.traceparent), 'Replace']));
    const outgoing = started.flatMap((r) => announce(r.job, r.created, now));
    if (outgoing.length > 0) await deps.publisher.publish(outgoing);
    for (const r of started) if (r.job.status === 'brewing') wakeUp?.(Date.parse(r.job.readyAt));
    try {
      await submitByPartition(client, [
        ...started.map((r): TransactionAction => ['update', { partitionKey, rowKey: r.entry.key, state: 'brewing', startedAt: r.job.startedAt, readyAt: r.job.readyAt }, 'Merge']),
        ...released.flatMap((r): TransactionAction[] => [
          ['delete', { partitionKey, rowKey: r.entry.key }],
          ['delete', { partitionKey, rowKey: indexKey(r.entry.orderId) }],
        ]),
      ]);
    } catch {
      // Another look at the queue finished these first: a later look sorts out whatever is left.
    }
    if (started.length > 0) context.log(`started ${started.length} queued order(s) storeId=${storeId}`);
    // A job that was already there (started elsewhere) may hold its machine for less time than claimed.
    return released.length > 0 || started.some((r) => !r.created);
  }

  let running: Promise<void> | undefined;
  let again = false;

  /**
   * Completes the jobs whose brewing time is over: publishes their BeverageCompleted, then removes
   * their due entries (one transaction per 100), so a failure at any step is finished by a later run.
   * One run at a time per instance (the timer trigger and the in-process timer share it): a call that
   * comes during a run is served by one more pass of that run, so nothing is announced twice here.
   */
  function completeReady(_timer: unknown, context: InvocationContext): Promise<void> {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      try {
        do {
          again = false;
          await drain(context);
          await lookAtWaiting(context);
        } while (again);
      } finally {
        running = undefined;
      }
    })();
    return running;
  }

  /**
   * Looks, every few seconds, at the queues this instance last saw with orders waiting, so machines a
   * store's staff added are used although no job of the store completes. Other instances' queues are
   * looked at by the completions of their jobs.
   */
  async function lookAtWaiting(context: InvocationContext): Promise<void> {
    const now = deps.now().getTime();
    if (waiting.size === 0 || now - lastWaitingLook < WAITING_LOOK_EVERY_MS) return;
    lastWaitingLook = now;
    for (const storeId of [...waiting]) {
      try {
        await schedule(storeId, context);
      } catch (error) {
        context.error(`look at waiting queue failed storeId=${storeId}: ${describe(error)}`);
      }
    }
  }

  async function drain(context: InvocationContext): Promise<void> {
    const started = Date.now();
    // A full page may hide more ready jobs: keep going, within a budget, so a rush drains quickly.
    for (;;) {
      const { read, done } = await completePage(context);
      if (read < SWEEP_PAGE || done === 0 || Date.now() - started > SWEEP_BUDGET_MS) return;
    }
  }

  /**
   * Completes up to one page of ready jobs, each in a span of its order's trace (stored with its due
   * entry), so BeverageCompleted goes on in the trace of the reservation that started the brew.
   */
  async function completePage(context: InvocationContext): Promise<{ read: number; done: number }> {
    const client = await jobs();
    const now = deps.now();
    // '~' sorts after every character of an order id, so all jobs ready up to now are included.
    const due = await listAll<Partial<DueRow>>(client, odata`PartitionKey eq ${DUE_PARTITION} and RowKey lt ${`${now.toISOString()}~`}`, SWEEP_PAGE);
    if (due.length === 0) return { read: 0, done: 0 };
    const spans = new SpanBatch('completeBeverages', SpanKind.INTERNAL);
    return spans.runToEnd(() => completeDue(client, due, now, spans, context));
  }

  async function completeDue(client: TableClient, due: (Partial<DueRow> & { rowKey?: string })[], now: Date, spans: SpanBatch, context: InvocationContext): Promise<{ read: number; done: number }> {
    const done: { rowKey: string; event: CafeEvent; freesIn?: string }[] = [];
    for (const entry of due) {
      const event = await completionOf(entry, now);
      if (event && entry.orderId) {
        spans.add({ key: entry.orderId, orderId: entry.orderId, name: 'completeBeverages BeverageCompleted', parent: contextFromTraceparent(entry.traceparent) });
        done.push({ rowKey: entry.rowKey!, event, ...(entry.queued && entry.storeId ? { freesIn: entry.storeId } : {}) });
      } else await deleteIfPresent(client, DUE_PARTITION, entry.rowKey!);
    }
    if (done.length === 0) return { read: due.length, done: 0 };
    await deps.publisher.publish(done.map((d) => d.event));
    // A completed job of a store with limited machines frees one: its queue moves on before the due
    // entries go, so a crash in between leaves them for the next run to do both again. A store whose
    // queue cannot be looked at keeps only its own entries for the next run; the others go.
    const failed = new Set<string>();
    for (const storeId of new Set(done.flatMap((d) => (d.freesIn ? [d.freesIn] : [])))) {
      try {
        await schedule(storeId, context);
      } catch (error) {
        failed.add(storeId);
        context.error(`look at the queue failed storeId=${storeId}; its completions are kept for the next run: ${describe(error)}`);
      }
    }
    const finished = done.filter((d) => !d.freesIn || !failed.has(d.freesIn));
    try {
      await submitByPartition(client, finished.map((d): TransactionAction => ['delete', { partitionKey: DUE_PARTITION, rowKey: d.rowKey }]));
    } catch {
      // Another run removed some of them first (a transaction fails whole): remove the rest one by one.
      for (const d of finished) await deleteIfPresent(client, DUE_PARTITION, d.rowKey);
    }
    context.log(`completed ${finished.length} beverage order(s)`);
    return { read: due.length, done: finished.length };
  }

  /** The BeverageCompleted of a due entry; entries written before they carried the store read the job. */
  async function completionOf(entry: Partial<DueRow> & { rowKey?: string }, now: Date): Promise<CafeEvent | undefined> {
    if (entry.orderId && entry.storeId) return makeEvent('BeverageCompleted', { orderId: entry.orderId, storeId: entry.storeId, occurredAt: now.toISOString() });
    if (!entry.orderId) return undefined;
    const row = await getOrUndefined<JobRow>(await jobs(), entry.orderId, JOB_ROW);
    const job = row && asOf(fromRow(row), now);
    return job?.status === 'completed' ? statusEvent(job, now) : undefined;
  }

  return { brew, completeReady };
}

/**
 * Inserts an order's job, or reads the one already there: the first job written for an order is the
 * one that counts (a cancel's tombstone, or a start), whoever wrote it. `created` says which.
 */
async function insertOrReadJob(client: TableClient, fresh: BrewJob, now: Date): Promise<{ job: BrewJob; created: boolean }> {
  if (await createIfAbsent(client, toRow(fresh))) return { job: asOf(fresh, now), created: true };
  return { job: asOf(fromRow(await client.getEntity<JobRow>(fresh.orderId, JOB_ROW)), now), created: false };
}

/**
 * What is announced for an order: its job's state; a job just created that is ready at once (a
 * brewing time of 0) announces both that it started and that it is done.
 */
function announce(job: BrewJob, created: boolean, now: Date): CafeEvent[] {
  if (created && job.status === 'completed') return [statusEvent({ ...job, status: 'brewing' }, now), statusEvent(job, now)];
  return [statusEvent(job, now)];
}

/**
 * An in-process alarm clock: remembers the times asked for and runs `complete` at each (one timer,
 * always set to the earliest time still ahead). Bounded: past 10,000 pending times the latest are
 * left to the timer trigger.
 */
function completionAlarm(complete: () => Promise<void>): (at: number) => void {
  const times: number[] = [];
  let armed: { at: number; timer: NodeJS.Timeout } | undefined;
  // The alarm is set from inside a consumer's batch: a timer set there would run (and re-arm) in that
  // batch's async context, its span the parent of every completion it starts and its per-order map kept
  // alive. Timers are set in the context of the alarm's creation instead, with no active span.
  const outside = new AsyncResource('beverages.completionAlarm');
  const fire = () => {
    armed = undefined;
    while (times.length > 0 && times[0]! <= Date.now()) times.shift();
    // The timer trigger is the backstop; its own failures are logged there.
    complete().catch(() => undefined);
    arm();
  };
  const arm = () => {
    const next = times[0];
    if (next === undefined || (armed && armed.at <= next)) return;
    if (armed) clearTimeout(armed.timer);
    const timer = outside.runInAsyncScope(() => otel.with(ROOT_CONTEXT, () => setTimeout(fire, Math.max(0, next - Date.now()))));
    timer.unref();
    armed = { at: next, timer };
  };
  return (at) => {
    const i = times.findIndex((t) => t >= at);
    if (times[i] === at) return;
    if (times.length >= 10_000) return;
    times.splice(i === -1 ? times.length : i, 0, at);
    arm();
  };
}

const describe = (error: unknown) => (error instanceof Error ? error.message : String(error));
