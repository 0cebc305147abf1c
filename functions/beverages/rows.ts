import type { TableEntityResult } from '@azure/data-tables';
import type { BrewJob } from './brewing';

/**
 * The beverages table:
 * - `PK=orderId, RK=job`: an order's one job row, insert-only (its creation decides a brew against a
 *   cancel). A brewing job is completed once its `readyAt` has passed (see `asOf`), so completion
 *   writes nothing to it.
 * - `PK=due, RK=readyAt_orderId`: the jobs whose BeverageCompleted is still to be published, by when
 *   they are ready; an entry carries what the event needs, so the completion sweep reads one range and
 *   nothing else. A batch's entries share the partition and are written in one transaction.
 */
export const JOB_ROW = 'job';
export const DUE_PARTITION = 'due';

export interface JobRow {
  storeId: string;
  customerId: string;
  items: string;
  status: BrewJob['status'];
  startedAt: string;
  readyAt: string;
  completedAt?: string;
  cancelReason?: string;
}

export type DueRow = {
  orderId: string;
  storeId: string;
  readyAt: string;
  /** The W3C trace context of the event that started the job: the completion is published in that trace. */
  traceparent?: string;
};

export const dueKey = (job: Pick<BrewJob, 'readyAt' | 'orderId'>) => `${job.readyAt}_${job.orderId}`;

export function toRow(job: BrewJob) {
  return {
    partitionKey: job.orderId,
    rowKey: JOB_ROW,
    storeId: job.storeId,
    customerId: job.customerId,
    items: JSON.stringify(job.items),
    status: job.status,
    startedAt: job.startedAt,
    readyAt: job.readyAt,
    ...(job.completedAt ? { completedAt: job.completedAt } : {}),
    ...(job.cancelReason ? { cancelReason: job.cancelReason } : {}),
  };
}

export function fromRow(row: TableEntityResult<JobRow>): BrewJob {
  return {
    orderId: row.partitionKey!,
    storeId: row.storeId,
    customerId: row.customerId,
    items: JSON.parse(row.items) as BrewJob['items'],
    status: row.status,
    startedAt: row.startedAt,
    readyAt: row.readyAt,
    ...(row.completedAt ? { completedAt: row.completedAt } : {}),
    ...(row.cancelReason ? { cancelReason: row.cancelReason } : {}),
  };
}

export function toDueRow(job: Pick<BrewJob, 'orderId' | 'storeId' | 'readyAt'>, traceparent?: string): DueRow & { partitionKey: string; rowKey: string } {
  return { partitionKey: DUE_PARTITION, rowKey: dueKey(job), orderId: job.orderId, storeId: job.storeId, readyAt: job.readyAt, ...(traceparent ? { traceparent } : {}) };
}
