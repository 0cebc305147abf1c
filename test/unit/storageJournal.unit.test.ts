import { appendFileSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { StorageJournal } from '../../local-host/src/storageJournal';
import { applied, footprintOfRead, footprintOfWrites, overlaps, writesOf, type TableWrite } from '../../local-host/src/tableWrites';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })));
const tempDir = () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'cafe-journal-'));
  dirs.push(dir);
  return dir;
};

const upsert = (rowKey: string): TableWrite => ({ kind: 'upsert', mode: 'Replace', table: 'orders', partitionKey: 'p', rowKey, body: { PartitionKey: 'p', RowKey: rowKey } });

/** A transaction as @azure/data-tables sends it: one changeset in a batch. */
function batchRequest(operations: string[]) {
  const changeset = 'changeset_1';
  const parts = operations.map((op) => `--${changeset}\r\ncontent-type: application/http\r\ncontent-transfer-encoding: binary\r\n\r\n${op}\r\n`);
  const body = `--batch_1\r\ncontent-type: multipart/mixed; boundary=${changeset}\r\n\r\n\r\n${parts.join('')}--${changeset}--\r\n--batch_1--\r\n`;
  return { method: 'POST', url: '/devstoreaccount1/$batch', contentType: 'multipart/mixed; boundary=batch_1', body: Buffer.from(body) };
}

describe('reading table requests as replayable writes', () => {
  it('an insert becomes an upsert of its body; quoted keys are unescaped', () => {
    const writes = writesOf({ method: 'POST', url: '/devstoreaccount1/orders', body: Buffer.from(JSON.stringify({ PartitionKey: "o'1", RowKey: 'order', n: 1 })) });
    expect(writes).toEqual([{ kind: 'upsert', mode: 'Replace', table: 'orders', partitionKey: "o'1", rowKey: 'order', body: { PartitionKey: "o'1", RowKey: 'order', n: 1 } }]);
    const merge = writesOf({ method: 'PATCH', url: "/devstoreaccount1/orders(PartitionKey='o''1',RowKey='a%20b')", body: Buffer.from('{"n":2}') });
    expect(merge).toEqual([{ kind: 'upsert', mode: 'Merge', table: 'orders', partitionKey: "o'1", rowKey: 'a b', body: { n: 2 } }]);
    expect(writesOf({ method: 'DELETE', url: "/devstoreaccount1/orders(PartitionKey='p',RowKey='r')", body: Buffer.alloc(0) })).toEqual([
      { kind: 'delete', table: 'orders', partitionKey: 'p', rowKey: 'r' },
    ]);
    expect(writesOf({ method: 'GET', url: '/devstoreaccount1/orders()', body: Buffer.alloc(0) })).toEqual([]);
  });

  it('a transaction yields each of its operations, in order, and counts as applied only when every one succeeded', () => {
    const request = batchRequest([
      'POST http://127.0.0.1:1/devstoreaccount1/inventory HTTP/1.1\r\nContent-Type: application/json\r\n\r\n{"PartitionKey":"main","RowKey":"res_1","cups":1}',
      "PATCH http://127.0.0.1:1/devstoreaccount1/inventory(PartitionKey='main',RowKey='stock') HTTP/1.1\r\nIf-Match: W/\"x\"\r\n\r\n{\"PartitionKey\":\"main\",\"RowKey\":\"stock\",\"cups\":4}",
    ]);
    expect(writesOf(request).map((w) => [w.kind, 'mode' in w ? w.mode : '', 'rowKey' in w ? w.rowKey : ''])).toEqual([
      ['upsert', 'Replace', 'res_1'],
      ['upsert', 'Merge', 'stock'],
    ]);
    expect(applied(request, 202, Buffer.from('--r\r\nHTTP/1.1 204 No Content\r\n\r\n--r\r\nHTTP/1.1 204 No Content\r\n--r--'))).toBe(true);
    expect(applied(request, 202, Buffer.from('--r\r\nHTTP/1.1 412 Precondition Failed\r\n--r--'))).toBe(false);
  });

  it('a request the journal could not replay is refused rather than let through', () => {
    expect(() => writesOf({ method: 'POST', url: '/devstoreaccount1/something/else', body: Buffer.alloc(0) })).toThrow();
  });
});

describe('which unjournaled writes an answer must wait for', () => {
  const write = footprintOfWrites([upsert('r1')]);
  it('a point read waits for writes to its entity only', () => {
    expect(overlaps(write, footprintOfRead("/devstoreaccount1/orders(PartitionKey='p',RowKey='r1')"))).toBe(true);
    expect(overlaps(write, footprintOfRead("/devstoreaccount1/orders(PartitionKey='p',RowKey='r2')"))).toBe(false);
    expect(overlaps(write, footprintOfRead("/devstoreaccount1/kiosk(PartitionKey='p',RowKey='r1')"))).toBe(false);
  });
  it('a query waits for every write to its table, and the answer to a write waits for writes to its entities', () => {
    expect(overlaps(write, footprintOfRead("/devstoreaccount1/orders()?$filter=PartitionKey%20eq%20'x'"))).toBe(true);
    expect(overlaps(write, footprintOfRead('/devstoreaccount1/kiosk()'))).toBe(false);
    expect(overlaps(write, footprintOfWrites([upsert('r1')]))).toBe(true);
    expect(overlaps(write, footprintOfWrites([upsert('r9')]))).toBe(false);
  });
  it('a table being created shows in any answer that names the table', () => {
    const created = footprintOfWrites([{ kind: 'createTable', table: 'orders' }]);
    expect(overlaps(created, footprintOfRead("/devstoreaccount1/orders(PartitionKey='p',RowKey='r1')"))).toBe(true);
    expect(overlaps(created, footprintOfWrites([upsert('r1')]))).toBe(true);
  });
});

describe('the storage journal', () => {
  it('keeps every acknowledged append across a reopen, and drops a torn last line', async () => {
    const dir = tempDir();
    const journal = await StorageJournal.open(dir);
    await Promise.all([journal.append([upsert('a')]), journal.append([upsert('b'), upsert('c')])]);
    await journal.close();
    // A crash in the middle of a later append leaves half a line: it was never acknowledged.
    appendFileSync(path.join(dir, readdirSync(dir)[0]!), '{"w":[{"kind":"ups');

    const reopened = await StorageJournal.open(dir);
    expect(reopened.pendingSegments).toHaveLength(1);
    const writes = await StorageJournal.read(reopened.pendingSegments);
    expect(writes.map((w) => ('rowKey' in w ? w.rowKey : ''))).toEqual(['a', 'b', 'c']);
  });

  it('a checkpoint drops only the segments closed before the save; later appends stay', async () => {
    const journal = await StorageJournal.open(tempDir());
    await journal.append([upsert('before')]);
    const covered = await journal.rotate();
    const later = journal.append([upsert('after')]);
    await journal.drop(covered);
    await later;
    await journal.rotate();
    expect((await StorageJournal.read(journal.pendingSegments)).map((w) => ('rowKey' in w ? w.rowKey : ''))).toEqual(['after']);
    await journal.close();
  });
});

describe('replaying a journaled write', () => {
  it('keeps the property types the original write declared', async () => {
    const { entityOf } = await import('../../local-host/src/journalReplay');
    const entity = entityOf({
      kind: 'upsert',
      mode: 'Replace',
      table: 'orders',
      partitionKey: 'p',
      rowKey: 'r',
      body: { PartitionKey: 'p', RowKey: 'r', big: '12345678901', 'big@odata.type': 'Edm.Int64', at: '2026-01-01T00:00:00Z', 'at@odata.type': 'Edm.DateTime', n: 3, s: 'x' },
    });
    expect(entity).toEqual({ partitionKey: 'p', rowKey: 'r', big: { value: '12345678901', type: 'Int64' }, at: { value: '2026-01-01T00:00:00Z', type: 'DateTime' }, n: 3, s: 'x' });
  });
});
