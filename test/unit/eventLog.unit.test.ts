import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { expandMain } from '../../local-host/src/appLoader';
import { EventLog } from '../../local-host/src/eventLog';
import { retryPolicyOf } from '../../local-host/src/retryPolicy';
import { isDisabled, retentionHoursOf } from '../../local-host/src/settings';
import { resolveSettings } from '../../local-host/src/timers';

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'cafe-log-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('the local event log', () => {
  it('keeps one partition key in one partition, in order', async () => {
    const log = new EventLog(tempDir(), 4);
    const hub = await log.hub('cafe-events');
    for (let i = 0; i < 5; i++) await hub.publish([{ body: { n: i } }], 'store-a');
    const partition = hub.partitionFor('store-a');
    expect(partition.read(0, 10).map((r) => JSON.parse(r.body).n)).toEqual([0, 1, 2, 3, 4]);
    expect(partition.read(0, 10).map((r) => r.sequenceNumber)).toEqual([0, 1, 2, 3, 4]);
    await log.close();
  });

  it('group-commits publishes that arrive while a flush is on disk: one write for them all, in arrival order', async () => {
    const dir = tempDir();
    const log = new EventLog(dir, 1);
    const hub = await log.hub('cafe-events');
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => hub.publish([{ body: { n: i } }, { body: { n: i, second: true } }], 'k')));
    expect(answers.map((records) => records.map((r) => r.sequenceNumber))).toEqual(Array.from({ length: 20 }, (_, i) => [2 * i, 2 * i + 1]));
    // The first publish flushes alone; the other 19 arrived meanwhile and share the next flush.
    expect(hub.partitions[0]!.flushes).toBe(2);
    await log.close();

    const reopened = await new EventLog(dir, 1).hub('cafe-events');
    expect(reopened.partitions[0]!.read(0, 100).map((r) => JSON.parse(r.body).n)).toEqual(Array.from({ length: 40 }, (_, i) => Math.floor(i / 2)));
  });

  it('still has every acknowledged event and checkpoint after a restart', async () => {
    const dir = tempDir();
    const first = new EventLog(dir, 2);
    const hub = await first.hub('cafe-events');
    await hub.publish([{ body: 'a' }, { body: 'b' }], 'k');
    const partitionId = hub.partitionFor('k').id;
    await hub.writeCheckpoint('orders', partitionId, 1);
    await first.close();

    const reopened = await new EventLog(dir, 8).hub('cafe-events');
    expect(reopened.partitions).toHaveLength(2); // fixed at creation, like a Standard hub
    expect(reopened.partitionFor('k').read(0, 10).map((r) => r.body)).toEqual(['a', 'b']);
    expect(await reopened.readCheckpoint('orders', partitionId)).toBe(1);
    expect(await reopened.readCheckpoint('kiosk', partitionId)).toBe(0);
  });

  it('keeps the last intact checkpoint when a power cut tears the slot being written, and reads the earlier one-record files', async () => {
    const dir = tempDir();
    const log = new EventLog(dir, 1);
    const hub = await log.hub('cafe-events');
    for (const n of [3, 7, 12]) await hub.writeCheckpoint('orders', '0', n);
    await log.close();
    const file = path.join(dir, 'cafe-events', 'checkpoints', 'orders', '0.json');
    expect(await (await new EventLog(dir, 1).hub('cafe-events')).readCheckpoint('orders', '0')).toBe(12);

    // 12 went to the first slot, 7 is in the second: tear the first, as a write cut short would.
    const bytes = readFileSync(file);
    bytes.write('{"nextSequenceNumber":40', 0, 'utf8');
    writeFileSync(file, bytes);
    const reopened = await new EventLog(dir, 1).hub('cafe-events');
    expect(await reopened.readCheckpoint('orders', '0')).toBe(7);
    await reopened.writeCheckpoint('orders', '0', 13);
    expect(await reopened.readCheckpoint('orders', '0')).toBe(13);

    writeFileSync(path.join(dir, 'cafe-events', 'checkpoints', 'orders', '1.json'), JSON.stringify({ nextSequenceNumber: 5, updatedAt: '2026-01-01T00:00:00.000Z' }));
    expect(await reopened.readCheckpoint('orders', '1')).toBe(5);
  });

  it('drops a torn last line left by a crash mid-write', async () => {
    const dir = tempDir();
    const log = new EventLog(dir, 1);
    const hub = await log.hub('cafe-events');
    await hub.publish([{ body: 'kept' }], 'k');
    await log.close();
    appendFileSync(path.join(dir, 'cafe-events', 'partition-0.jsonl'), '{"sequenceNumber":1,"bo');

    const reopened = await new EventLog(dir, 1).hub('cafe-events');
    expect(reopened.partitions[0]!.read(0, 10).map((r) => r.body)).toEqual(['kept']);
    await reopened.publish([{ body: 'next' }], 'k');
    expect(reopened.partitions[0]!.read(0, 10).map((r) => [r.sequenceNumber, r.body])).toEqual([[0, 'kept'], [1, 'next']]);
  });

  it('forgets events older than the retention, as Event Hubs does, though the file keeps them', async () => {
    const dir = tempDir();
    const start = Date.parse('2026-03-01T08:00:00Z');
    let clock = start;
    const hour = 3_600_000;
    const log = new EventLog(dir, 1, { retentionMs: 24 * hour, now: () => clock });
    const hub = await log.hub('cafe-events');
    await hub.publish([{ body: 'monday' }], 'k', new Date(start));
    await hub.publish([{ body: 'tuesday' }], 'k', new Date(start + 20 * hour));
    const partition = hub.partitions[0]!;
    expect(partition.read(0, 10).map((r) => r.body)).toEqual(['monday', 'tuesday']);

    clock = start + 25 * hour; // monday is past a day's retention, tuesday is not
    expect(partition.firstRetainedSequence()).toBe(1);
    expect(partition.read(0, 10).map((r) => [r.sequenceNumber, r.body])).toEqual([[1, 'tuesday']]);
    expect(partition.read(1, 10).map((r) => r.body)).toEqual(['tuesday']);
    clock = start + 45 * hour;
    expect(partition.read(0, 10)).toEqual([]);
    expect(partition.firstRetainedSequence()).toBe(2);
    await log.close();

    // After a restart too: sequence numbers go on where they were.
    const reopened = await new EventLog(dir, 1, { retentionMs: 24 * hour, now: () => clock }).hub('cafe-events');
    expect(reopened.partitions[0]!.read(0, 10)).toEqual([]);
    await reopened.publish([{ body: 'thursday' }], 'k', new Date(clock));
    expect(reopened.partitions[0]!.read(0, 10).map((r) => [r.sequenceNumber, r.body])).toEqual([[2, 'thursday']]);
  });
});

describe('local host settings', () => {
  it('reads CAFE_EVENTHUB_RETENTION_HOURS, defaulting to the hub\'s retention, and names it when it is wrong', () => {
    expect(retentionHoursOf({}, 24)).toBe(24);
    expect(retentionHoursOf({ CAFE_EVENTHUB_RETENTION_HOURS: '0.5' }, 24)).toBe(0.5);
    for (const wrong of ['0', '-1', 'a day']) {
      expect(() => retentionHoursOf({ CAFE_EVENTHUB_RETENTION_HOURS: wrong }, 24)).toThrow(/CAFE_EVENTHUB_RETENTION_HOURS/);
    }
  });

  it('honours AzureWebJobs.<function>.Disabled in both spellings', () => {
    expect(isDisabled({ 'AzureWebJobs.brew.Disabled': 'true' }, 'brew')).toBe(true);
    expect(isDisabled({ AzureWebJobs__brew__Disabled: '1' }, 'brew')).toBe(true);
    expect(isDisabled({ 'AzureWebJobs.brew.Disabled': 'false' }, 'brew')).toBe(false);
    expect(isDisabled({}, 'brew')).toBe(false);
  });

  it('resolves %setting% expressions and names a missing one', () => {
    expect(resolveSettings('%SCHEDULE%', { SCHEDULE: '*/5 * * * * *' }, 'timer')).toBe('*/5 * * * * *');
    expect(() => resolveSettings('%MISSING%', {}, 'Timer function sweep')).toThrow(/setting MISSING is not set/);
  });

  it('reads the function retry policy the library registers', () => {
    const exponential = retryPolicyOf({ retryOptions: { retryStrategy: 'exponentialBackoff', maxRetryCount: 4, minimumInterval: { nanos: 500_000_000 }, maximumInterval: { seconds: 10 } } });
    expect([1, 2, 3, 4, 6].map((n) => exponential!.delayMs(n))).toEqual([500, 1000, 2000, 4000, 10000]);
    const fixed = retryPolicyOf({ retryOptions: { retryStrategy: 'fixedDelay', maxRetryCount: 2, delayInterval: { seconds: 3 } } });
    expect(fixed).toMatchObject({ maxRetryCount: 2 });
    expect(fixed!.delayMs(2)).toBe(3000);
  });

  it('expands the package.json main glob the way the worker does', () => {
    const root = path.resolve(__dirname, '..', '..');
    const files = expandMain(root, 'dist/functions/*/index.js').map((f) => path.relative(root, f));
    expect(files).toEqual(['beverages', 'health', 'inventory', 'kiosk', 'notifications', 'openapi', 'operations', 'orders', 'sales', 'stores'].map((s) => path.join('dist', 'functions', s, 'index.js')));
  });
});

describe('the data folder lock', () => {
  it('refuses a second host on the same folder and takes over a dead host\'s lock', async () => {
    const { lockDataDir } = await import('../../local-host/src/dataLock');
    const { writeFileSync } = await import('node:fs');
    const dir = tempDir();
    const unlock = lockDataDir(dir);
    writeFileSync(path.join(dir, 'host.pid'), String(process.ppid)); // a live process that is not us
    expect(() => lockDataDir(dir)).toThrow(/Another local host/);
    writeFileSync(path.join(dir, 'host.pid'), '999999999'); // no such process
    const again = lockDataDir(dir);
    again();
    unlock();
  });
});
