import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadFunctionApp, type LoadedApp } from '../../local-host/src/appLoader';
import { EventHubListener, type ListenerOptions } from '../../local-host/src/eventHubListener';
import { EventLog } from '../../local-host/src/eventLog';
import { Logger } from '../../local-host/src/logger';
import { SecondWorker } from '../../local-host/src/secondWorker';
import { eventually, isRunning } from '../support/localHost';

/**
 * The local host's Event Hubs delivery under the faults Azure produces, shown with a tiny app
 * (test/fixtures/faulty-app) whose functions fail, hang, record or meet in known ways: a stop between
 * retries, a stop whose grace period ends mid-invocation, two worker processes at once, and retention.
 */
const ROOT = path.resolve(__dirname, '..', '..');
const FIXTURE = path.join(ROOT, 'test', 'fixtures', 'faulty-app');
const WORKER = path.join(ROOT, 'dist', 'local-host', 'src', 'worker.js');

interface FaultyAppState {
  seen: string[];
  gate?: Promise<void>;
  finished?: boolean;
}
const state = globalThis as unknown as { faultyApp?: FaultyAppState };

let app: LoadedApp;
const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'cafe-faults-'));
  dirs.push(dir);
  return dir;
}
const cleanups: (() => Promise<void>)[] = [];

beforeAll(async () => {
  process.env.FIXTURE_OUT = tempDir();
  app = await loadFunctionApp(FIXTURE, () => undefined);
  app.lock();
});
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
  delete state.faultyApp;
});
afterAll(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

function fn(name: string) {
  const found = app.functions.find((f) => f.name === name);
  if (!found) throw new Error(`the fixture app has no function ${name}`);
  return found;
}

/** A listener of one fixture function on a fresh event log; returns the log lines it writes. */
async function listen(name: string, hubName: string, log: EventLog, options: Partial<ListenerOptions> = {}) {
  const lines: string[] = [];
  const hub = await log.hub(hubName);
  const listener = new EventHubListener(app.registry, fn(name), hub, new Logger('information', (line) => lines.push(line)), {
    maxEventBatchSize: 10,
    idleWaitMs: 50,
    ...options,
  });
  cleanups.push(async () => {
    await listener.stop(2_000);
    await log.close();
  });
  return { hub, listener, lines };
}

const jsonLines = <T>(file: string): T[] =>
  existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as T) : [];

describe('a host that stops', () => {
  it('while a batch waits between retries checkpoints past it, as the Functions host does', async () => {
    const log = new EventLog(tempDir(), 1);
    const { hub, listener, lines } = await listen('flaky', 'flaky', log);
    await hub.publish([{ body: { n: 1 } }, { body: { n: 2 } }]);
    listener.start();
    // The first attempt failed; the next retry is a minute away.
    await eventually(async () => (lines.some((l) => /failed \(attempt 1\); retrying in 60000 ms/.test(l)) ? true : undefined), 'the first failed attempt');

    await listener.stop(5_000);
    expect(await hub.readCheckpoint('$Default', '0')).toBe(2);
    expect(lines.some((l) => /host is stopping before the next retry; checkpointing past them/.test(l))).toBe(true);
    expect(jsonLines<{ retryCount: number }>(path.join(process.env.FIXTURE_OUT!, 'flaky.log')).map((a) => a.retryCount)).toEqual([0]);
  });

  it('while an invocation still runs past the grace period leaves that batch for redelivery', async () => {
    let open!: () => void;
    state.faultyApp = { seen: [], gate: new Promise<void>((resolve) => (open = resolve)) };
    const log = new EventLog(tempDir(), 1);
    const { hub, listener } = await listen('stuck', 'stuck', log);
    await hub.publish([{ body: 'held' }]);
    listener.start();
    await eventually(async () => (state.faultyApp!.seen.length > 0 ? true : undefined), 'the invocation to start');

    await listener.stop(100);
    // The invocation ends after the grace period: too late, nothing may be checkpointed for it now.
    open();
    await eventually(async () => (state.faultyApp!.finished ? true : undefined), 'the invocation to finish');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await hub.readCheckpoint('$Default', '0')).toBe(0);
  });
});

describe('concurrent delivery (CAFE_CONCURRENT_DELIVERY)', () => {
  it('runs every batch in two worker processes at the same time, then checkpoints', async () => {
    const second = await SecondWorker.start(FIXTURE, new Logger('warning'), WORKER);
    cleanups.push(() => second.stop(2_000));
    expect(second.pid).not.toBe(process.pid);
    const log = new EventLog(tempDir(), 1);
    const { hub, listener } = await listen('rendezvous', 'meet', log, { secondWorker: second });
    await hub.publish([{ body: 'a' }, { body: 'b' }, { body: 'c' }]);
    listener.start();
    await eventually(async () => ((await hub.readCheckpoint('$Default', '0')) === 3 ? true : undefined), 'the checkpoint past the batch');

    const meetings = jsonLines<{ pid: number; batch: string; events: number; met: string[] }>(path.join(process.env.FIXTURE_OUT!, 'meet.log'));
    // One invocation in this process and one in the second worker, each of the whole batch, and each
    // saw the other arrive while it was still running.
    expect(meetings.map((m) => m.pid).sort()).toEqual([process.pid, second.pid].sort());
    expect(meetings.map((m) => [m.batch, m.events])).toEqual([['0', 3], ['0', 3]]);
    for (const m of meetings) expect(m.met).toEqual([String(m.pid === process.pid ? second.pid : process.pid)]);
  });


  it('ends the second worker with its host, also when the host is killed mid-invocation', async () => {
    const out = tempDir();
    // A stand-in for the host: starts the second worker and has it run a function that would take ten minutes.
    const host = spawn(
      process.execPath,
      [
        '-e',
        `const { SecondWorker } = require(${JSON.stringify(path.join(ROOT, 'dist', 'local-host', 'src', 'secondWorker.js'))});
         const { Logger } = require(${JSON.stringify(path.join(ROOT, 'dist', 'local-host', 'src', 'logger.js'))});
         SecondWorker.start(${JSON.stringify(FIXTURE)}, new Logger('warning')).then((worker) =>
           worker.invoke('busy', { triggerData: { collectionString: { string: ['x'] } } }));`,
      ],
      { env: { ...process.env, FIXTURE_OUT: out }, stdio: 'ignore' },
    );
    const hostExited = new Promise((resolve) => host.once('exit', resolve));
    const busy = await eventually(async () => readdirSync(out).find((f) => f.startsWith('busy-')), 'the worker to start the invocation');
    const workerPid = Number(busy.slice('busy-'.length));
    cleanups.push(async () => {
      if (isRunning(workerPid)) process.kill(workerPid, 'SIGKILL');
    });
    expect(workerPid).not.toBe(host.pid);
    expect(isRunning(workerPid)).toBe(true);

    host.kill('SIGKILL');
    await hostExited;
    await eventually(async () => (isRunning(workerPid) ? undefined : true), 'the second worker to end with its host');
  });
});

describe('retention', () => {
  it('a consumer whose checkpoint is behind the retention starts at the oldest retained event and says how many it missed', async () => {
    state.faultyApp = { seen: [] };
    const start = Date.parse('2026-01-01T00:00:00Z');
    let clock = start;
    const log = new EventLog(tempDir(), 1, { retentionMs: 3_600_000, now: () => clock });
    const { hub, listener, lines } = await listen('record', 'recorded', log);
    await hub.publish([{ body: 'old-1' }, { body: 'old-2' }, { body: 'old-3' }], undefined, new Date(start));
    await hub.publish([{ body: 'new-1' }, { body: 'new-2' }], undefined, new Date(start + 2 * 3_600_000));
    clock = start + 2 * 3_600_000 + 60_000; // the first three are past the hour of retention

    listener.start();
    await eventually(async () => ((await hub.readCheckpoint('$Default', '0')) === 5 ? true : undefined), 'the checkpoint past the retained events');
    expect(state.faultyApp.seen).toEqual(['new-1', 'new-2']);
    expect(lines.filter((l) => /WARNING/.test(l) && /3 event\(s\) \(0\.\.2\) passed the hub's retention/.test(l))).toHaveLength(1);
  });
});
