import { describe, expect, it } from 'vitest';
import type { TableClient, TransactionAction } from '@azure/data-tables';
import { applyBatched, type Held } from '../../shared/batchedRows';
import { RowCache } from '../../shared/rowCache';

type Row = { n: number };

/** A table in memory that behaves like Table Storage for what applyBatched uses, and counts calls. */
function fakeTable(rejectRowKey?: string) {
  const rows = new Map<string, Held<Row>>();
  let version = 0;
  const calls = { transactions: 0, reads: 0 };
  const key = (pk: string, rk: string) => `${pk}|${rk}`;
  const fail = (statusCode: number) => Object.assign(new Error(`status ${statusCode}`), { statusCode });
  const client = {
    async getEntity(pk: string, rk: string) {
      calls.reads++;
      const row = rows.get(key(pk, rk));
      if (!row) throw fail(404);
      return { ...row, partitionKey: pk, rowKey: rk };
    },
    async submitTransaction(actions: TransactionAction[]) {
      calls.transactions++;
      if (new Set(actions.map((a) => a[1].partitionKey)).size > 1) throw fail(400);
      for (const a of actions) {
        if (a[1].rowKey === rejectRowKey) throw fail(400);
        const existing = rows.get(key(String(a[1].partitionKey), String(a[1].rowKey)));
        if (a[0] === 'create' && existing) throw fail(409);
        if (a[0] === 'update' && existing?.etag !== (a[3] as { etag: string }).etag) throw fail(412);
      }
      const subResponses = actions.map((a) => {
        const etag = `v${++version}`;
        rows.set(key(String(a[1].partitionKey), String(a[1].rowKey)), { n: Number(a[1].n), etag });
        return { status: 204, etag };
      });
      return { status: 202, subResponses, getResponseForEntity: () => undefined };
    },
  };
  return { client: client as unknown as TableClient, rows, calls, set: (pk: string, rk: string, n: number) => rows.set(key(pk, rk), { n, etag: `v${++version}` }) };
}

const task = (key: string, partitionKey = 'p', expectAbsent = false) => ({ key, partitionKey, rowKey: key, expectAbsent });
const increment = (_task: unknown, row: Held<Row> | undefined) => ({ fields: { n: (row?.n ?? 0) + 1 } });

describe('writing a batch of rows that share a partition', () => {
  it('writes every row of a partition in one transaction, and reads none it knows', async () => {
    const table = fakeTable();
    const cache = new RowCache<Held<Row>>();
    const outcomes = await applyBatched(table.client, cache, ['a', 'b', 'c'].map((k) => task(k, 'p', true)), increment);
    expect(outcomes.map((o) => [o.task.key, o.after?.n, o.error])).toEqual([['a', 1, undefined], ['b', 1, undefined], ['c', 1, undefined]]);
    expect(table.calls).toEqual({ transactions: 1, reads: 0 });
    // The next batch finds the rows in the cache, with the ETags the transaction answered.
    await applyBatched(table.client, cache, ['a', 'b', 'c'].map((k) => task(k)), increment);
    expect(table.calls).toEqual({ transactions: 2, reads: 0 });
    expect([...table.rows.values()].map((r) => r.n)).toEqual([2, 2, 2]);
  });

  it('re-reads and decides again when another writer changed a cached row', async () => {
    const table = fakeTable();
    const cache = new RowCache<Held<Row>>();
    await applyBatched(table.client, cache, [task('a', 'p', true), task('b', 'p', true)], increment);
    table.set('p', 'a', 10); // another instance moved the row on
    const outcomes = await applyBatched(table.client, cache, [task('a'), task('b')], increment);
    expect(outcomes.map((o) => o.after?.n)).toEqual([11, 2]);
  });

  it('a row that storage refuses fails alone; the rest of its transaction is written', async () => {
    const table = fakeTable('bad');
    const outcomes = await applyBatched(table.client, new RowCache<Held<Row>>(), [task('a', 'p', true), task('bad', 'p', true), task('c', 'p', true)], increment);
    expect(outcomes.map((o) => [o.task.key, o.error === undefined])).toEqual([['a', true], ['bad', false], ['c', true]]);
    expect([...table.rows.keys()].sort()).toEqual(['p|a', 'p|c']);
  });

  it('an optimistic create that finds the row reads it and applies to it', async () => {
    const table = fakeTable();
    table.set('p', 'a', 5);
    const outcomes = await applyBatched(table.client, new RowCache<Held<Row>>(), [task('a', 'p', true)], increment);
    expect(outcomes[0]!.after?.n).toBe(6);
  });
});
