import type { TableClient, TableEntityResult } from '@azure/data-tables';
import type { BrewJob } from './brewing';

/**
 * The beverages table: `PK=orderId, RK=job` holds an order's brewing job; `PK=due, RK=readyAt_orderId`
 * indexes jobs still brewing by when they are ready, so the completion sweep reads one partition range.
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

export const dueKey = (job: Pick<BrewJob, 'readyAt' | 'orderId'>) => `${job.readyAt}_${job.orderId}`;

export function toJobRow(job: BrewJob) {
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

export function fromJobRow(row: TableEntityResult<JobRow>): BrewJob {
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

export async function markDue(client: TableClient, job: BrewJob): Promise<void> {
  await client.upsertEntity({ partitionKey: DUE_PARTITION, rowKey: dueKey(job), orderId: job.orderId }, 'Replace');
}
