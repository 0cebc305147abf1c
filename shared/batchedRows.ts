import type { TableClient, TransactionAction } from '@azure/data-tables';
import type { RowCache } from './rowCache';
import { pauseAfterConflict } from './retry';
import { MAX_TRANSACTION_OPERATIONS, getOrUndefined, isTransactionConflict } from './tables';
import { groupBy } from './collections';

/** A row as this service read or wrote it last, with its ETag. */
export type Held<R> = R & { etag: string };

/** The row a service keeps per key (an order, say), where it lives, and how it was found. */
export interface RowTask {
  /** The cache key (the order id). */
  key: string;
  partitionKey: string;
  rowKey: string;
  /**
   * No read is needed to know the row is absent (the first event of an order): it is created
   * optimistically, and a conflict (a redelivery found it there) reads it and decides again.
   */
  expectAbsent?: boolean;
}

/** What to write for one key given the row as it stands: nothing, or its new fields plus copies. */
export interface RowDecision {
  /** The deciding row's new fields (without keys); undefined writes nothing. */
  fields?: Record<string, unknown>;
  /** Writes in the same partition that follow the row (copies), committed in the same transaction. */
  companions?: TransactionAction[];
}

export interface RowOutcome<R> {
  task: RowTask;
  before?: Held<R>;
  /** The row after this call (unchanged when nothing was written). */
  after?: Held<R>;
  error?: unknown;
}

const ATTEMPTS = 8;

/**
 * Applies one decision per key to rows that many keys share a partition with, in as few round trips
 * as Table Storage allows: rows the cache holds (with their ETags) or knows to be absent are not read,
 * and every partition's writes go in transactions of up to 100 operations. Each deciding row is
 * written under its ETag (or created), so a write based on a stale row fails the transaction: its
 * keys are read again and decided again. A transaction that fails for another reason is split into one
 * transaction per key, so one bad key fails only its own events.
 */
export async function applyBatched<R extends object>(
  client: TableClient,
  cache: RowCache<Held<R>>,
  tasks: readonly RowTask[],
  decide: (task: RowTask, row: Held<R> | undefined) => RowDecision,
): Promise<RowOutcome<R>[]> {
  const outcomes = new Map<string, RowOutcome<R>>();
  const rows = new Map<string, Held<R> | undefined>();
  const read = async (task: RowTask) => {
    const row = await getOrUndefined<Held<R>>(client, task.partitionKey, task.rowKey);
    rows.set(task.key, row);
    if (row) cache.set(task.key, row);
  };
  const failed = (task: RowTask, error: unknown) => outcomes.set(task.key, { task, error });

  await Promise.all(
    tasks.map(async (task) => {
      const cached = cache.get(task.key);
      if (cached) rows.set(task.key, cached);
      else if (task.expectAbsent) rows.set(task.key, undefined);
      else await read(task).catch((error: unknown) => failed(task, error));
    }),
  );

  let pending = tasks.filter((t) => !outcomes.has(t.key));
  for (let attempt = 1; pending.length > 0; attempt++) {
    const retry: RowTask[] = [];
    // Partitions are independent: their transactions go out together.
    await Promise.all([...groupBy(pending, (t) => t.partitionKey).values()].map(async (group) => {
      for (const chunk of chunks(group, (t) => decide(t, rows.get(t.key)))) {
        try {
          await commit(client, cache, chunk, rows, outcomes);
        } catch (error) {
          if (isTransactionConflict(error) && attempt < ATTEMPTS) {
            retry.push(...chunk.map((c) => c.task));
          } else if (chunk.length > 1) {
            retry.push(...chunk.map((c) => ({ ...c.task, alone: true })));
          } else {
            failed(chunk[0]!.task, error);
          }
          for (const c of chunk) cache.delete(c.task.key);
        }
      }
    }));
    if (retry.length === 0) break;
    // Rows whose write failed are read again: another writer (or a redelivery) changed or created them.
    await Promise.all(retry.map((task) => read(task).catch((error: unknown) => failed(task, error))));
    pending = retry.filter((t) => !outcomes.has(t.key));
    if (attempt >= 2) await pauseAfterConflict(attempt);
  }
  return tasks.map((task) => outcomes.get(task.key) ?? { task, error: new Error(`no outcome for ${task.key}`) });
}

interface Decided {
  task: RowTask & { alone?: boolean };
  decision: RowDecision;
}

/** Decisions of one partition cut into transactions of at most 100 operations; a lone task gets its own. */
function chunks(tasks: readonly (RowTask & { alone?: boolean })[], decide: (task: RowTask) => RowDecision): Decided[][] {
  const result: Decided[][] = [];
  let current: Decided[] = [];
  let size = 0;
  for (const task of tasks) {
    const decision = decide(task);
    const ops = (decision.fields ? 1 : 0) + (decision.companions?.length ?? 0);
    const alone = task.alone === true;
    if (current.length > 0 && (alone || size + ops > MAX_TRANSACTION_OPERATIONS)) {
      result.push(current);
      current = [];
      size = 0;
    }
    current.push({ task, decision });
    size += ops;
    if (alone) {
      result.push(current);
      current = [];
      size = 0;
    }
  }
  if (current.length > 0) result.push(current);
  return result;
}

async function commit<R extends object>(
  client: TableClient,
  cache: RowCache<Held<R>>,
  chunk: Decided[],
  rows: Map<string, Held<R> | undefined>,
  outcomes: Map<string, RowOutcome<R>>,
): Promise<void> {
  const actions: TransactionAction[] = [];
  const at = new Map<string, number>();
  for (const { task, decision } of chunk) {
    if (decision.fields) {
      const entity = { partitionKey: task.partitionKey, rowKey: task.rowKey, ...decision.fields };
      const row = rows.get(task.key);
      at.set(task.key, actions.length);
      actions.push(row ? ['update', entity, 'Replace', { etag: row.etag }] : ['create', entity]);
    }
    actions.push(...(decision.companions ?? []));
  }
  const response = actions.length > 0 ? await client.submitTransaction(actions) : undefined;
  for (const { task, decision } of chunk) {
    const before = rows.get(task.key);
    if (!decision.fields) {
      outcomes.set(task.key, { task, ...(before ? { before, after: before } : {}) });
      continue;
    }
    // Sub-responses come in the order of the operations (not every one names its row key).
    const etag = response?.subResponses[at.get(task.key)!]?.etag;
    const after = { ...(decision.fields as R), etag: etag ?? '' } as Held<R>;
    if (etag) cache.set(task.key, after);
    else cache.delete(task.key);
    rows.set(task.key, after);
    outcomes.set(task.key, { task, ...(before ? { before } : {}), after });
  }
}
