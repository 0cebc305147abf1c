import { odata, type TableEntityResult } from '@azure/data-tables';
import type { BrewJob } from './brewing';
import type { EntryState, QueueEntry } from './queue';

/**
 * The beverages table:
 * - `PK=orderId, RK=job`: an order's one job row, insert-only (its creation decides a brew against a
 *   cancel). A brewing job is completed once its `readyAt` has passed (see `asOf`), so completion
 *   writes nothing to it.
 * - `PK=due, RK=readyAt_orderId`: the jobs whose BeverageCompleted is still to be published, by when
 *   they are ready; an entry carries what the event needs, so the completion sweep reads one range and
 *   nothing else. A batch's entries share the partition and are written in one transaction.
 *   `queued` marks the job of a store with limited machines: its completion frees a machine.
 * - `PK=~queue~storeId`: the machine queue of a store with `machines` set (see queue.ts), one
 *   partition per store so every decision about it is one ETag-guarded transaction:
 *   - `RK=q_<arrivedAt>_<arrival>_<orderId>`: an order waiting for, or holding, a machine (first in, first out
 *     by row key); deleted once its machine is free again, or its order was cancelled;
 *   - `RK=o_<orderId>`: the order's entry key, created in one transaction with the entry, so a
 *     redelivered reservation finds it instead of queueing the order twice;
 *   - `RK=machines`: rewritten (ETag-guarded) by every claim of machines, so two schedulers that
 *     decided on the same state cannot both give away the same free machine.
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
  queued?: boolean;
}

export type DueRow = {
  orderId: string;
  storeId: string;
  readyAt: string;
  queued?: boolean;
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
    ...(job.queued ? { queued: true } : {}),
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
    ...(row.queued ? { queued: true } : {}),
  };
}

export function toDueRow(job: Pick<BrewJob, 'orderId' | 'storeId' | 'readyAt' | 'queued'>, traceparent?: string): DueRow & { partitionKey: string; rowKey: string } {
  return {
    partitionKey: DUE_PARTITION,
    rowKey: dueKey(job),
    orderId: job.orderId,
    storeId: job.storeId,
    readyAt: job.readyAt,
    ...(job.queued ? { queued: true } : {}),
    ...(traceparent ? { traceparent } : {}),
  };
}

export const queuePartition = (storeId: string) => `~queue~${storeId}`;
export const ENTRY_PREFIX = 'q_';
const INDEX_PREFIX = 'o_';
export const MACHINES_ROW = 'machines';
/** Sorts by arrival: the time, then the order of arrival within the instance, then the order id. */
export const entryKey = (arrivedAt: Date, arrival: number, orderId: string) => `${ENTRY_PREFIX}${arrivedAt.toISOString()}_${String(arrival).padStart(9, '0')}_${orderId}`;
export const indexKey = (orderId: string) => `${INDEX_PREFIX}${orderId}`;
/** Just past every entry key: '`' is the character after '_'. */
const ENTRIES_END = 'q`';

/** A store's queue entries, in queue order, without its index rows. */
export const entriesFilter = (storeId: string) => odata`PartitionKey eq ${queuePartition(storeId)} and RowKey ge ${ENTRY_PREFIX} and RowKey lt ${ENTRIES_END}`;

/**
 * What a look at a store's queue reads: the machines row and the entries. The index rows (one per
 * queued order) are for redeliveries and cancels, which read them by key; a look skips them.
 */
export const lookFilter = (storeId: string) =>
  odata`PartitionKey eq ${queuePartition(storeId)} and (RowKey eq ${MACHINES_ROW} or (RowKey ge ${ENTRY_PREFIX} and RowKey lt ${ENTRIES_END}))`;

export interface EntryRow {
  orderId: string;
  customerId: string;
  items: string;
  brewSeconds: number;
  state: EntryState;
  startedAt?: string;
  readyAt?: string;
  traceparent?: string;
}

export interface IndexRow {
  entry: string;
}

export interface MachinesRow {
  claims: number;
}

export function toEntryRow(entry: QueueEntry) {
  return {
    partitionKey: queuePartition(entry.storeId),
    rowKey: entry.key,
    orderId: entry.orderId,
    customerId: entry.customerId,
    items: JSON.stringify(entry.items),
    brewSeconds: entry.brewSeconds,
    state: entry.state,
    ...(entry.startedAt ? { startedAt: entry.startedAt } : {}),
    ...(entry.readyAt ? { readyAt: entry.readyAt } : {}),
    ...(entry.traceparent ? { traceparent: entry.traceparent } : {}),
  };
}

export function fromEntryRow(storeId: string, row: TableEntityResult<EntryRow>): QueueEntry {
  return {
    key: row.rowKey!,
    orderId: row.orderId,
    storeId,
    customerId: row.customerId,
    items: JSON.parse(row.items) as QueueEntry['items'],
    brewSeconds: row.brewSeconds,
    state: row.state,
    ...(row.startedAt ? { startedAt: row.startedAt } : {}),
    ...(row.readyAt ? { readyAt: row.readyAt } : {}),
    ...(row.traceparent ? { traceparent: row.traceparent } : {}),
  };
}
