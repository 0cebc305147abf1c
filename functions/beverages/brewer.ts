import { InvocationContext } from '@azure/functions';
import { groupBy } from '../../shared/collections';
import type { TableClient, TransactionAction } from '@azure/data-tables';
import type { EventFailure } from '../../shared/consumer';
import type { ServiceDeps } from '../../shared/deps';
import { makeEvent, type CafeEvent, type CancelRequested, type CupsReserved } from '../../shared/events';
import { withConflictRetry } from '../../shared/retry';
import { createStoreSettingsReader, orderBrewSeconds } from '../../shared/storeSettings';
import { MAX_TRANSACTION_OPERATIONS, createIfAbsent, deleteIfPresent, getOrUndefined, isTransactionConflict, listAll, odata, submitByPartition } from '../../shared/tables';
import { TABLES } from '../../shared/topology';
import { asOf, cancelledJob, startBrewing, startedFromQueue, statusEvent, type BrewJob } from './brewing';
import { planQueue, type QueueEntry } from './queue';
import { SpanBatch, SpanKind, contextFromTraceparent, traceparentForOrder } from '../../shared/tracing';
import {
  DUE_PARTITION,
  ENTRY_PREFIX,
  JOB_ROW,
  MACHINES_ROW,
  entryKey,
  fromEntryRow,
  fromRow,
  indexKey,
  queuePartition,
  toDueRow,
  toEntryRow,
  toRow,
  type DueRow,
  type EntryRow,
  type JobRow,
  type MachinesRow,
} from './rows';

const SWEEP_PAGE = 100;
const SWEEP_BUDGET_MS = 20_000;
/** Looks at a store's queue one call takes at most (another look follows a machine given back). */
const SCHEDULE_PASSES = 10;
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
}

/**
 * What one event of a brew batch came to: its job as it stands, and whether this call created it; or,
 * in a store with limited machines, that the order waits in the store's queue (it has no job yet).
 */
type Decided = { source: CupsReserved | CancelRequested; job: BrewJob; created: boolean };
type Queued = { source: CupsReserved; queuedIn: string };
type Outcome = Decided | Queued;

export function createBrewer(deps: ServiceDeps, options: BrewerOptions = {}) {
  const jobs = () => deps.table(TABLES.beverages);
  const stores = createStoreSettingsReader(() => deps.table(TABLES.stores), { now: () => deps.now().getTime() });
  // Arrival order at this instance, for the queue's first in, first out within one clock tick.
  let arrivals = 0;
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
      if (settings.machines !== null) return queueUp(event, seconds, now, arrival);
      fresh = startBrewing(event, now, seconds);
    } else {
      fresh = cancelledJob(event, now);
    }
    if (await createIfAbsent(client, toRow(fresh))) return { source: event, job: asOf(fresh, now), created: true };
    const job = asOf(fromRow(await client.getEntity<JobRow>(event.orderId, JOB_ROW)), now);
    if (event.type === 'CancelRequested' && job.status !== 'cancelled') {
      context.log(`cancel came too late orderId=${event.orderId}: brewing already ${job.status}`);
    }
    return { source: event, job, created: false };
  }

  /**
   * Puts an order at the back of its store's queue: the entry and its index row in one transaction,
   * so a redelivered reservation (the index row exists) queues nothing twice. An order that has a job
   * (started, done, or cancelled before it was queued) is not queued again.
   */
  async function queueUp(event: CupsReserved, brewSeconds: number, now: Date, arrival: number): Promise<Outcome> {
    const client = await jobs();
    const row = await getOrUndefined<JobRow>(client, event.orderId, JOB_ROW);
    if (row) return { source: event, job: asOf(fromRow(row), now), created: false };
    const entry: QueueEntry = {
      key: entryKey(now, arrival, event.orderId),
      orderId: event.orderId,
      storeId: event.storeId,
      customerId: event.customerId,
      items: event.items.map(({ menuItemId, quantity }) => ({ menuItemId, quantity })),
      brewSeconds,
      state: 'queued',
      // The order's trace, for the BrewingStarted a later look at the queue announces for it.
      ...(traceparentForOrder(event.orderId) ? { traceparent: traceparentForOrder(event.orderId) } : {}),
    };
    try {
      await client.submitTransaction([
        ['create', toEntryRow(entry)],
        ['create', { partitionKey: queuePartition(event.storeId), rowKey: indexKey(event.orderId), entry: entry.key }],
      ]);
    } catch (error) {
      if (!isTransactionConflict(error)) throw error;
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
  async function brew(events: (CupsReserved | CancelRequested)[], context: InvocationContext): Promise<EventFailure[]> {
    const client = await jobs();
    const now = deps.now();
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
    for (let pass = 0; pass < SCHEDULE_PASSES; pass++) {
      if (!(await withConflictRetry(() => lookAtQueue(storeId, context), isTransactionConflict))) return;
    }
  }

  /** One look at a store's queue; says whether to look again (a machine was given back). */
  async function lookAtQueue(storeId: string, context: InvocationContext): Promise<boolean> {
    const client = await jobs();
    const partitionKey = queuePartition(storeId);
    const now = deps.now();
    const { machines } = await stores.get(storeId);
    const rows = await listAll<Partial<EntryRow & MachinesRow>>(client, odata`PartitionKey eq ${partitionKey}`);
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
    const claimed = [...plan.resume, ...start];
    if (claimed.length === 0) return more;
    return (await startClaimed(storeId, claimed, now, context)) || more;
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
    try {
      return await spans.run(() => startInSpans(storeId, claimed, now, context));
    } catch (error) {
      spans.failRun(error);
      throw error;
    } finally {
      spans.end();
    }
  }

  async function startInSpans(storeId: string, claimed: QueueEntry[], now: Date, context: InvocationContext): Promise<boolean> {
    const client = await jobs();
    const partitionKey = queuePartition(storeId);
    const results = await Promise.all(
      claimed.map(async (entry) => {
        const fresh = startedFromQueue(entry);
        if (await createIfAbsent(client, toRow(fresh))) return { entry, job: asOf(fresh, now), created: true };
        return { entry, job: asOf(fromRow(await client.getEntity<JobRow>(entry.orderId, JOB_ROW)), now), created: false };
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
        } while (again);
      } finally {
        running = undefined;
      }
    })();
    return running;
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
    try {
      return await spans.run(() => completeDue(client, due, now, spans, context));
    } catch (error) {
      spans.failRun(error);
      throw error;
    } finally {
      spans.end();
    }
  }

  async function completeDue(client: TableClient, due: (Partial<DueRow> & { rowKey?: string })[], now: Date, spans: SpanBatch, context: InvocationContext): Promise<{ read: number; done: number }> {
    const done: { rowKey: string; event: CafeEvent }[] = [];
    for (const entry of due) {
      const event = await completionOf(entry, now);
      if (event && entry.orderId) {
        spans.add({ key: entry.orderId, orderId: entry.orderId, name: 'completeBeverages BeverageCompleted', parent: contextFromTraceparent(entry.traceparent) });
        done.push({ rowKey: entry.rowKey!, event });
      } else await deleteIfPresent(client, DUE_PARTITION, entry.rowKey!);
    }
    if (done.length === 0) return { read: due.length, done: 0 };
    await deps.publisher.publish(done.map((d) => d.event));
    // A completed job of a store with limited machines frees one: its queue moves on before the due
    // entries go, so a crash in between leaves them for the next run to do both again.
    const freed = new Set(due.filter((e) => e.queued && e.storeId).map((e) => e.storeId!));
    for (const storeId of freed) await schedule(storeId, context);
    try {
      await submitByPartition(client, done.map((d): TransactionAction => ['delete', { partitionKey: DUE_PARTITION, rowKey: d.rowKey }]));
    } catch {
      // Another run removed some of them first (a transaction fails whole): remove the rest one by one.
      for (const d of done) await deleteIfPresent(client, DUE_PARTITION, d.rowKey);
    }
    context.log(`completed ${done.length} beverage order(s)`);
    return { read: due.length, done: done.length };
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
  const arm = () => {
    const next = times[0];
    if (next === undefined || (armed && armed.at <= next)) return;
    if (armed) clearTimeout(armed.timer);
    const timer = setTimeout(() => {
      armed = undefined;
      while (times.length > 0 && times[0]! <= Date.now()) times.shift();
      // The timer trigger is the backstop; its own failures are logged there.
      complete().catch(() => undefined);
      arm();
    }, Math.max(0, next - Date.now()));
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
