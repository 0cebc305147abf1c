import { InvocationContext } from '@azure/functions';
import type { TableClient, TransactionAction } from '@azure/data-tables';
import type { EventFailure } from '../../shared/consumer';
import type { ServiceDeps } from '../../shared/deps';
import { makeEvent, type CafeEvent, type CancelRequested, type CupsReserved } from '../../shared/events';
import { createIfAbsent, deleteIfPresent, getOrUndefined, listAll, odata, submitByPartition } from '../../shared/tables';
import { TABLES } from '../../shared/topology';
import { asOf, cancelledJob, startBrewing, statusEvent, type BrewJob } from './brewing';
import { SpanBatch, SpanKind, contextFromTraceparent, traceparentForOrder } from '../../shared/tracing';
import { DUE_PARTITION, JOB_ROW, fromRow, toDueRow, toRow, type DueRow, type JobRow } from './rows';

const SWEEP_PAGE = 100;
const SWEEP_BUDGET_MS = 20_000;

export interface BrewerOptions {
  /**
   * Also complete jobs from an in-process timer set to the earliest `readyAt` this instance started,
   * so a drink is announced when it is ready rather than at the next tick of the sweep's schedule. The
   * timer trigger stays as the backstop (another instance, a restart). Off in tests, which drive the
   * clock themselves.
   */
  completeWhenDue?: boolean;
}

/** What one event of a brew batch came to: its job as it stands, and whether this call created it. */
interface Outcome {
  source: CupsReserved | CancelRequested;
  job: BrewJob;
  created: boolean;
}

export function createBrewer(deps: ServiceDeps, options: BrewerOptions = {}) {
  const jobs = () => deps.table(TABLES.beverages);
  const wakeUp = options.completeWhenDue ? completionAlarm(() => completeReady(undefined, new InvocationContext({ functionName: 'completeBeverages' }))) : undefined;

  /** The order's one job row: inserted by the first event to arrive, read back by any later one. */
  async function decide(event: CupsReserved | CancelRequested, now: Date, context: InvocationContext): Promise<Outcome> {
    const client = await jobs();
    const fresh = event.type === 'CupsReserved' ? startBrewing(event, now, deps.settings.brewSeconds) : cancelledJob(event, now);
    if (await createIfAbsent(client, toRow(fresh))) return { source: event, job: asOf(fresh, now), created: true };
    const job = asOf(fromRow(await client.getEntity<JobRow>(event.orderId, JOB_ROW)), now);
    if (event.type === 'CancelRequested' && job.status !== 'cancelled') {
      context.log(`cancel came too late orderId=${event.orderId}: brewing already ${job.status}`);
    }
    return { source: event, job, created: false };
  }

  /**
   * Starts one brewing job per order whose cups were reserved, or records that an order asked to be
   * cancelled will never brew. Both insert the order's one job row, so the first to arrive decides
   * between a cancel and a brew; a redelivered event, or the loser, finds the row and re-announces
   * its state instead of deciding again. The due entries of a batch go in one transaction, before
   * anything is announced.
   */
  async function brew(events: (CupsReserved | CancelRequested)[], context: InvocationContext): Promise<EventFailure[]> {
    const client = await jobs();
    const now = deps.now();
    const failures: EventFailure[] = [];
    const outcomes: Outcome[] = [];
    const settled = await Promise.allSettled(events.map((event) => decide(event, now, context)));
    settled.forEach((result, i) => {
      if (result.status === 'fulfilled') outcomes.push(result.value);
      else failures.push({ eventId: events[i]!.id, error: result.reason });
    });

    const brewing = outcomes.filter((o) => o.job.status === 'brewing');
    const dueRows = new Map(brewing.map((o) => [o.job.orderId, toDueRow(o.job, traceparentForOrder(o.job.orderId))]));
    try {
      await submitByPartition(client, [...dueRows.values()].map((row): TransactionAction => ['upsert', row, 'Replace']));
    } catch (error) {
      // Nothing was announced yet: the retry finds the jobs and writes their entries again.
      return [...failures, ...brewing.map((o) => ({ eventId: o.source.id, error }))];
    }

    const outgoing = outcomes.flatMap((o) => announce(o, now));
    if (outgoing.length > 0) {
      try {
        await deps.publisher.publish(outgoing.map((o) => o.event));
        context.log(`brewing ${outcomes.length} order(s)`);
      } catch (error) {
        failures.push(...outgoing.map((o) => ({ eventId: o.source.id, error })));
      }
    }
    for (const o of brewing) wakeUp?.(Date.parse(o.job.readyAt));
    return failures;
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
      if (event) {
        spans.add({ key: event.orderId, orderId: event.orderId, name: 'completeBeverages BeverageCompleted', parent: contextFromTraceparent(entry.traceparent) });
        done.push({ rowKey: entry.rowKey!, event });
      } else await deleteIfPresent(client, DUE_PARTITION, entry.rowKey!);
    }
    if (done.length === 0) return { read: due.length, done: 0 };
    await deps.publisher.publish(done.map((d) => d.event));
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
 * What a batch announces for an order: its job's state; a job this call created that is ready at once
 * (a brewing time of 0) announces both that it started and that it is done.
 */
function announce(o: Outcome, now: Date): { source: Outcome['source']; event: CafeEvent }[] {
  if (o.created && o.job.status === 'completed') {
    const started = { ...o.job, status: 'brewing' as const };
    return [statusEvent(started, now), statusEvent(o.job, now)].map((event) => ({ source: o.source, event }));
  }
  return [{ source: o.source, event: statusEvent(o.job, now) }];
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
