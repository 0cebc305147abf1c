import type { InvocationContext } from '@azure/functions';
import type { EventFailure } from '../../shared/consumer';
import type { ServiceDeps } from '../../shared/deps';
import type { CafeEvent, CancelRequested, CupsReserved } from '../../shared/events';
import { createIfAbsent, deleteIfPresent, getOrUndefined, isPreconditionFailed, listAll, odata } from '../../shared/tables';
import { TABLES } from '../../shared/topology';
import { cancelledJob, finish, isReady, startBrewing, statusEvent } from './brewing';
import { DUE_PARTITION, JOB_ROW, fromJobRow, markDue, toJobRow, type JobRow } from './jobs';

const SWEEP_PAGE = 100;
const SWEEP_BUDGET_MS = 20_000;

export function createBrewer(deps: ServiceDeps) {
  const jobs = () => deps.table(TABLES.beverages);

  return {
    /**
     * Starts one brewing job per order whose cups were reserved, or records that an order asked to be
     * cancelled will never brew. Both insert the order's one job row, so the first to arrive decides
     * between a cancel and a brew; a redelivered event, or the loser, finds the row and re-announces
     * its state instead of deciding again.
     */
    async brew(events: (CupsReserved | CancelRequested)[], context: InvocationContext): Promise<EventFailure[]> {
      const client = await jobs();
      const failures: EventFailure[] = [];
      const outgoing: { source: CupsReserved | CancelRequested; event: CafeEvent }[] = [];
      for (const event of events) {
        try {
          const now = deps.now();
          let job = event.type === 'CupsReserved' ? startBrewing(event, now, deps.settings.brewSeconds) : cancelledJob(event, now);
          if (!(await createIfAbsent(client, toJobRow(job)))) {
            job = fromJobRow(await client.getEntity<JobRow>(event.orderId, JOB_ROW));
            if (event.type === 'CancelRequested' && job.status !== 'cancelled') {
              context.log(`cancel came too late orderId=${event.orderId}: brewing already ${job.status}`);
            }
          }
          if (job.status === 'brewing') await markDue(client, job);
          outgoing.push({ source: event, event: statusEvent(job, now) });
        } catch (error) {
          failures.push({ eventId: event.id, error });
        }
      }
      if (outgoing.length > 0) {
        try {
          await deps.publisher.publish(outgoing.map((o) => o.event));
          context.log(`brewing ${outgoing.length} order(s)`);
        } catch (error) {
          failures.push(...outgoing.map((o) => ({ eventId: o.source.id, error })));
        }
      }
      return failures;
    },

    /**
     * Completes the jobs whose brewing time is over. The job is marked completed before the event is
     * published and the due entry removed after, so a failure at any step is finished by a later sweep.
     */
    async completeReady(_timer: unknown, context: InvocationContext): Promise<void> {
      const started = Date.now();
      // A full page may hide more ready jobs: keep going, within a budget, so a rush drains quickly.
      for (;;) {
        const { read, done } = await completePage(context);
        if (read < SWEEP_PAGE || done === 0 || Date.now() - started > SWEEP_BUDGET_MS) return;
      }
    },
  };

  /** Completes up to one page of ready jobs. */
  async function completePage(context: InvocationContext): Promise<{ read: number; done: number }> {
    const client = await jobs();
    const now = deps.now();
    // '~' sorts after every character of an order id, so all jobs ready up to now are included.
    const due = await listAll<{ orderId: string }>(
      client,
      odata`PartitionKey eq ${DUE_PARTITION} and RowKey lt ${`${now.toISOString()}~`}`,
      SWEEP_PAGE,
    );
    const done: { dueKey: string; event: CafeEvent }[] = [];
    for (const entry of due) {
      const row = await getOrUndefined<JobRow>(client, entry.orderId, JOB_ROW);
      if (!row) {
        await deleteIfPresent(client, DUE_PARTITION, entry.rowKey!);
        continue;
      }
      let job = fromJobRow(row);
      if (isReady(job, now)) {
        job = finish(job, now);
        try {
          await client.updateEntity(toJobRow(job), 'Replace', { etag: row.etag });
        } catch (error) {
          if (isPreconditionFailed(error)) continue; // changed meanwhile; the next sweep decides again
          throw error;
        }
      }
      if (job.status === 'completed') done.push({ dueKey: entry.rowKey!, event: statusEvent(job, now) });
    }
    if (done.length === 0) return { read: due.length, done: 0 };
    await deps.publisher.publish(done.map((d) => d.event));
    for (const d of done) {
      await deleteIfPresent(client, DUE_PARTITION, d.dueKey);
    }
    context.log(`completed ${done.length} beverage order(s)`);
    return { read: due.length, done: done.length };
  }
}
