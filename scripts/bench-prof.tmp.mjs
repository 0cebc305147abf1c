// `npm run bench`: a bounded load test of the whole saga on this machine (loopback only), printing figures.
//
// 1. The raw insert rate a bare Azurite sustains (the storage-bound reference).
// 2. A closed-loop pass as `npm start` runs (its own Azurite behind the storage journal): BENCH_ORDERS
//    orders from BENCH_CONCURRENCY clients over 4 stores with about three cups in four, so both
//    outcomes happen. It reports intake and saga rates, and the work per order counted by the host's
//    storage proxy (table round trips per table, transactions, entities read), events and bytes, with
//    each consumer group's lag and throughput over time (the host's `GET /_eventhubs`).
// 3. The same pass with the journal off (CAFE_STORAGE_JOURNAL=false), to price the journal.
// 4. Open-loop arrivals at fixed rates (BENCH_RATES, orders/s, each for BENCH_STEP_SECONDS) across
//    BENCH_STORES stores, then 1.5x more per step until the saga no longer keeps up (or BENCH_MAX_RATE):
//    intake latency from each request's scheduled time (so a slow answer cannot hide the requests queued
//    behind it), saga overhead (completion minus brewing time) and throughput by stage.
// Completion and stage times come from the event log itself (each event's occurredAt), so measuring
// reads no table.
//
// Output: a table in the terminal, and bench-results/<stamp>.json and .svg (latency percentiles against
// offered load; throughput by stage). `npm run bench -- --compare bench-results/<earlier>.json` also
// prints the ratios to an earlier run. `npm run bench -- --growth` adds the growth run (see growth.mjs).
//
// Settings (environment): BENCH_ORDERS (600, at most 3000), BENCH_CONCURRENCY (16, at most 64),
// BENCH_STORES (40), BENCH_RATES ("10,25,50,100,200"), BENCH_STEP_SECONDS (10), BENCH_MAX_RATE (600),
// BENCH_BREW_SECONDS (0), BENCH_TIMEOUT_SECONDS (180 per pass), BENCH_JOURNAL_COMPARE (true),
// BENCH_OPEN_LOOP (true). Nothing here is a pass/fail test: it prints what it measured.
import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, readSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { plot } from './bench/plot.mjs';
import { runGrowth } from './bench/growth.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const { startAzurite } = require(path.join(root, 'dist/local-host/src/azurite.js'));
const { Logger } = require(path.join(root, 'dist/local-host/src/logger.js'));
const { TableClient } = require('@azure/data-tables');

const args = process.argv.slice(2);
const argValue = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const ORDERS = Math.min(3000, Number(process.env.BENCH_ORDERS ?? 600));
const CONCURRENCY = Math.min(64, Number(process.env.BENCH_CONCURRENCY ?? 16));
const TIMEOUT_MS = Number(process.env.BENCH_TIMEOUT_SECONDS ?? 180) * 1000;
const CLOSED_STORES = ['bench-a', 'bench-b', 'bench-c', 'bench-d'];
const OPEN_STORES = Array.from({ length: Math.max(1, Number(process.env.BENCH_STORES ?? 40)) }, (_, i) => `store-${String(i + 1).padStart(2, '0')}`);
const RATES = (process.env.BENCH_RATES ?? '10,25,50,100,200').split(',').map(Number).filter((n) => n > 0);
const STEP_SECONDS = Number(process.env.BENCH_STEP_SECONDS ?? 10);
const MAX_RATE = Number(process.env.BENCH_MAX_RATE ?? 600);
const BREW_SECONDS = Number(process.env.BENCH_BREW_SECONDS ?? 0);
/** Per drink: the closed loop's orders hold one or two drinks. */
const CLOSED_BREW_SECONDS = 0.5;
const COMPARE = process.env.BENCH_JOURNAL_COMPARE !== 'false';
const OPEN_LOOP = process.env.BENCH_OPEN_LOOP !== 'false';
const FINAL_TYPES = new Set(['OrderCompleted', 'OrderCancelled']);
const STAGES = [
  ['placed', 'OrderPlaced'],
  ['reserved', 'CupsReserved'],
  ['brewing', 'BrewingStarted'],
  ['brewed', 'BeverageCompleted'],
  ['finished', 'final'],
];

const percentile = (values, p) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] : NaN;
};
const pcts = (values) => ({ p50: percentile(values, 50), p95: percentile(values, 95), p99: percentile(values, 99), n: values.length });
const fmt = (n, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function rawInsertRate(connectionString, seconds = 3) {
  const client = TableClient.fromConnectionString(connectionString, 'benchraw', { allowInsecureConnection: true });
  await client.createTable();
  const deadline = Date.now() + seconds * 1000;
  let done = 0;
  const worker = async (w) => {
    for (let i = 0; Date.now() < deadline; i++) {
      await client.createEntity({ partitionKey: `p${w}`, rowKey: `r${i}`, cups: i });
      done++;
    }
  };
  const started = Date.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, (_, w) => worker(w)));
  return done / ((Date.now() - started) / 1000);
}

async function json(base, method, route, body) {
  const response = await fetch(`${base}${route}`, { method, headers: body ? { 'content-type': 'application/json' } : {}, body: body ? JSON.stringify(body) : undefined });
  return { status: response.status, body: await response.json() };
}

/**
 * Reads the local event log's partition files as they grow: every event once, with its type, order
 * and occurredAt. This is how the bench learns when orders finish without reading any table.
 */
class LogTail {
  constructor(dataDir) {
    this.dir = path.join(dataDir, 'eventhubs', 'cafe-events');
    this.offsets = new Map();
    this.bytes = 0;
    this.orders = new Map(); // orderId -> { placedAt, finalAt, final, stages: {type: at} }
    this.events = []; // { type, at }
  }
  poll() {
    let names;
    try {
      names = readdirSync(this.dir).filter((n) => n.endsWith('.jsonl'));
    } catch {
      return;
    }
    for (const name of names) {
      const file = path.join(this.dir, name);
      const from = this.offsets.get(name) ?? 0;
      const size = statSync(file).size;
      if (size <= from) continue;
      const fd = openSync(file, 'r');
      const buffer = Buffer.alloc(size - from);
      readSync(fd, buffer, 0, buffer.length, from);
      closeSync(fd);
      const end = buffer.lastIndexOf(10);
      if (end < 0) continue;
      this.offsets.set(name, from + end + 1);
      this.bytes += end + 1;
      for (const line of buffer.subarray(0, end).toString('utf8').split('\n')) {
        if (!line) continue;
        let event;
        try {
          const record = JSON.parse(line);
          event = typeof record.body === 'string' ? JSON.parse(record.body) : record.body;
        } catch {
          continue;
        }
        if (!event?.type || !event.orderId) continue;
        const at = Date.parse(event.occurredAt);
        this.events.push({ type: event.type, at, orderId: event.orderId });
        let o = this.orders.get(event.orderId);
        if (!o) this.orders.set(event.orderId, (o = { stages: {} }));
        if (event.type === 'OrderPlaced' && o.placedAt === undefined) o.placedAt = at;
        if (FINAL_TYPES.has(event.type) && o.finalAt === undefined) {
          o.finalAt = at;
          o.final = event.type;
        }
        o.stages[event.type] ??= at;
      }
    }
  }
  finished(ids) {
    return ids.filter((id) => this.orders.get(id)?.finalAt !== undefined).length;
  }
}

/** Each consumer group's position and pending events, sampled from the host (`GET /_eventhubs`). */
class LagSampler {
  constructor(base) {
    this.base = base;
    this.samples = [];
  }
  start(intervalMs = 1000) {
    const t0 = Date.now();
    this.timer = setInterval(async () => {
      try {
        const { body } = await json(this.base, 'GET', '/_eventhubs');
        this.samples.push({
          t: (Date.now() - t0) / 1000,
          groups: Object.fromEntries(body.map((c) => [c.consumerGroup, { pending: c.pending, position: c.partitions.reduce((s, p) => s + p.nextSequenceNumber, 0) }])),
        });
      } catch {
        // a sample lost under load is no figure
      }
    }, intervalMs);
  }
  stop() {
    clearInterval(this.timer);
    return this.series();
  }
  /** Per group, per sample: pending events and events consumed per second since the previous sample. */
  series() {
    return this.samples.map((s, i) => {
      const prev = this.samples[i - 1];
      return {
        t: s.t,
        groups: Object.fromEntries(
          Object.entries(s.groups).map(([g, v]) => [g, { pending: v.pending, perSecond: prev?.groups[g] ? (v.position - prev.groups[g].position) / (s.t - prev.t) : undefined }]),
        ),
      };
    });
  }
}

async function eventCount(base) {
  const { body } = await json(base, 'GET', '/_eventhubs');
  return body[0].partitions.reduce((sum, p) => sum + p.lastSequenceNumber + 1, 0);
}

async function waitIdle(base, deadline) {
  while (Date.now() < deadline) {
    const { body } = await json(base, 'GET', '/_eventhubs');
    if (body.every((c) => c.pending === 0)) return;
    await sleep(200);
  }
  throw new Error('consumers did not catch up in time');
}

async function storageStatus(base) {
  return (await json(base, 'GET', '/_storage')).body;
}

const SERVICE_TABLES = ['orders', 'inventory', 'beverages', 'notifications', 'kiosk', 'sales', 'deadletters'];

function delta(before, after, field) {
  const counts = {};
  for (const table of SERVICE_TABLES) {
    const n = (after.proxy?.[field]?.[table] ?? 0) - (before.proxy?.[field]?.[table] ?? 0);
    if (n > 0) counts[table] = n;
  }
  return counts;
}

async function startHost(dataDir, journal, brewSeconds, extraEnv = {}) {
  const host = spawn(process.execPath, [...(process.env.PROF_ARGS ? process.env.PROF_ARGS.split(" ") : []), path.join(root, 'dist/local-host/src/main.js')], {
    env: {
      ...process.env,
      PORT: '0',
      CAFE_DATA_DIR: dataDir,
      CAFE_LOG_LEVEL: 'error',
      CAFE_STORAGE_JOURNAL: journal ? 'true' : 'false',
      BREW_SECONDS: String(brewSeconds),
      BREW_SWEEP_SCHEDULE: '*/1 * * * * *',
      ORDER_SWEEP_SCHEDULE: '*/10 * * * * *',
      ORDER_NUDGE_AFTER_SECONDS: '60',
      ...extraEnv,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const base = await new Promise((resolve, reject) => {
    let out = '';
    host.stdout.on('data', (c) => {
      out += c;
      const m = /Listening on (\S+)/.exec(out);
      if (m) resolve(m[1]);
    });
    host.once('exit', () => reject(new Error(`local host exited:\n${out}`)));
  });
  return { host, base };
}

/**
 * CPU time (user + system, ms) the host process and its children (its Azurite) have used so far, from
 * /proc (Linux; undefined elsewhere). Unlike rates, CPU per order hardly moves when other work shares
 * the machine, so it is the figure to compare between runs.
 */
function cpuMs(hostPid) {
  const ticksOf = (pid) => {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
    return Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14 and 15 of the whole line)
  };
  try {
    const children = readFileSync(`/proc/${hostPid}/task/${hostPid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
    const tick = 10; // ms: USER_HZ is 100 on Linux
    return { host: ticksOf(hostPid) * tick, azurite: children.reduce((sum, pid) => sum + ticksOf(pid), 0) * tick };
  } catch {
    return undefined;
  }
}

async function withHost(journal, brewSeconds, body) {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'cafe-bench-'));
  let host;
  try {
    const started = await startHost(dataDir, journal, brewSeconds);
    host = started.host;
    return await body(started.base, dataDir, host.pid);
  } finally {
    if (host && host.exitCode === null) {
      host.kill('SIGTERM');
      await new Promise((r) => host.once('exit', r));
    }
    rmSync(dataDir, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
  }
}

async function warmUp(base, deadline) {
  const warm = await json(base, 'POST', '/orders', { storeId: 'warmup', customerId: 'warm', items: [{ menuItemId: 'americano', quantity: 1 }] });
  while ((await json(base, 'GET', `/orders/${warm.body.id}`)).body.status === 'pending' && Date.now() < deadline) await sleep(100);
  await waitIdle(base, deadline);
}

/** Events after the first per second, from the first to the last (epoch milliseconds, any order). */
function departureRate(times) {
  if (times.length < 2) return 0;
  const sorted = [...times].sort((a, b) => a - b);
  return (sorted.length - 1) / ((sorted.at(-1) - sorted[0]) / 1000);
}

/** The closed-loop pass: ORDERS orders from CONCURRENCY clients, and the work each order took. */
async function closedPass(journal) {
  return withHost(journal, CLOSED_BREW_SECONDS, async (base, dataDir, hostPid) => {
    const deadline = Date.now() + TIMEOUT_MS;
    // Enough cups for roughly three orders in four, so both outcomes are exercised.
    for (const store of CLOSED_STORES) await json(base, 'PUT', `/inventories/${store}`, { cups: Math.ceil((ORDERS / CLOSED_STORES.length) * 1.5 * 0.75) });
    await warmUp(base, deadline);

    const log = new LogTail(dataDir);
    log.poll();
    const storageBefore = await storageStatus(base);
    const eventsBefore = await eventCount(base);
    const bytesBefore = log.bytes;
    const cpuBefore = cpuMs(hostPid);
    const lag = new LagSampler(base);
    lag.start();
    const intake = [];
    const answeredAt = [];
    const ids = [];
    // Brewing takes BREW_SECONDS per drink, so each order's own brewing time is subtracted from its overhead.
    const drinks = new Map();
    let next = 0;
    const started = Date.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < ORDERS && Date.now() < deadline) {
          const i = next++;
          const t = performance.now();
          const quantity = 1 + (i % 2);
          const r = await json(base, 'POST', '/orders', { storeId: CLOSED_STORES[i % CLOSED_STORES.length], customerId: `bench-${i}`, items: [{ menuItemId: 'americano', quantity }] });
          if (r.status !== 202) throw new Error(`POST /orders answered ${r.status}`);
          intake.push(performance.now() - t);
          answeredAt.push(Date.now());
          ids.push(r.body.id);
          drinks.set(r.body.id, quantity);
        }
      }),
    );
    while (Date.now() < deadline) {
      log.poll();
      if (log.finished(ids) >= ORDERS) break;
      await sleep(100);
    }
    const finished = Date.now();
    await waitIdle(base, deadline);
    const series = lag.stop();
    const cpuAfter = cpuMs(hostPid);
    log.poll();
    const storageAfter = await storageStatus(base);
    const tables = delta(storageBefore, storageAfter, 'byTable');
    const entities = delta(storageBefore, storageAfter, 'entitiesByTable');
    const orders = ids.map((id) => log.orders.get(id)).filter(Boolean);
    const completedIds = ids.filter((id) => log.orders.get(id)?.final === 'OrderCompleted');
    const completed = completedIds.map((id) => log.orders.get(id));
    return {
      journal,
      orders: ORDERS,
      finals: orders.filter((o) => o.final).length,
      completed: completed.length,
      intake: pcts(intake),
      // Throughput is a departure rate: answers (or finals) after the first, over the time from the first
      // to the last. Counting from the start instead would charge one order's latency (its brewing
      // included) to the rate, which on a pass of a few seconds says more about latency than throughput.
      intakeRate: departureRate(answeredAt),
      sagaRate: departureRate(orders.map((o) => o.finalAt).filter((at) => at !== undefined)),
      // The older figure, kept for comparison: every order over the time from the first request to the last final.
      drainRate: log.finished(ids) / ((finished - started) / 1000),
      completion: pcts(completed.map((o) => o.finalAt - o.placedAt)),
      overhead: pcts(completedIds.map((id) => {
        const o = log.orders.get(id);
        return o.finalAt - o.placedAt - CLOSED_BREW_SECONDS * 1000 * drinks.get(id);
      })),
      roundTrips: Object.fromEntries(Object.entries(tables).map(([t, n]) => [t, n / ORDERS])),
      roundTripsPerOrder: Object.values(tables).reduce((a, b) => a + b, 0) / ORDERS,
      transactionsPerOrder: ((storageAfter.proxy?.transactions ?? 0) - (storageBefore.proxy?.transactions ?? 0)) / ORDERS,
      entitiesReadPerOrder: Object.values(entities).reduce((a, b) => a + b, 0) / ORDERS,
      eventsPerOrder: ((await eventCount(base)) - eventsBefore) / ORDERS,
      bytesPerOrder: (log.bytes - bytesBefore) / ORDERS,
      lag: series,
      cpuPerOrder: cpuBefore && cpuAfter && { host: (cpuAfter.host - cpuBefore.host) / ORDERS, azurite: (cpuAfter.azurite - cpuBefore.azurite) / ORDERS },
      journalCost: storageAfter.journal && {
        fsyncsPerOrder: (storageAfter.journal.fsyncs - storageBefore.journal.fsyncs) / ORDERS,
        bytesPerOrder: (storageAfter.journal.bytes - storageBefore.journal.bytes) / ORDERS,
        writesPerOrder: (storageAfter.journal.writes - storageBefore.journal.writes) / ORDERS,
        heldMsPerRoundTrip: (storageAfter.proxy.heldMs - storageBefore.proxy.heldMs) / Math.max(1, storageAfter.proxy.requests - storageBefore.proxy.requests),
      },
    };
  });
}

/**
 * Open-loop steps: each sends `rate` orders a second for STEP_SECONDS at fixed times, whatever the
 * answers, then waits for the saga to drain. A step the saga cannot keep up with ends the run.
 */
async function openLoop() {
  return withHost(true, BREW_SECONDS, async (base, dataDir) => {
    const deadline = Date.now() + TIMEOUT_MS * 10;
    for (const store of OPEN_STORES) await json(base, 'PUT', `/inventories/${store}`, { cups: 1_000_000 });
    await warmUp(base, deadline);
    const log = new LogTail(dataDir);
    const steps = [];
    const rates = [...RATES];
    let n = 0;
    for (let r = 0; r < rates.length; r++) {
      const rate = rates[r];
      log.poll();
      const lag = new LagSampler(base);
      lag.start(500);
      const total = Math.max(1, Math.round(rate * STEP_SECONDS));
      const intake = [];
      const ids = [];
      let errors = 0;
      const t0 = performance.now() + 50;
      const wall0 = Date.now() + 50;
      const sends = [];
      for (let i = 0; i < total; i++) {
        const due = t0 + (i * 1000) / rate;
        const wait = due - performance.now();
        if (wait > 1) await sleep(wait);
        const k = n++;
        sends.push(
          json(base, 'POST', '/orders', { storeId: OPEN_STORES[k % OPEN_STORES.length], customerId: `open-${k}`, items: [{ menuItemId: 'americano', quantity: 1 }] })
            .then((res) => {
              if (res.status === 202) {
                intake.push(performance.now() - due);
                ids.push(res.body.id);
              } else errors++;
            })
            .catch(() => errors++),
        );
      }
      await Promise.all(sends);
      const sentFor = (Date.now() - wall0) / 1000;
      const drainBy = Date.now() + Math.max(30_000, STEP_SECONDS * 3000);
      while (Date.now() < drainBy) {
        log.poll();
        if (log.finished(ids) >= ids.length) break;
        await sleep(100);
      }
      const series = lag.stop();
      log.poll();
      const orders = ids.map((id) => log.orders.get(id)).filter((o) => o?.finalAt !== undefined);
      const lastFinal = Math.max(...orders.map((o) => o.finalAt));
      const stageRates = Object.fromEntries(
        STAGES.map(([name, type]) => {
          const times = ids.map((id) => log.orders.get(id)).map((o) => (type === 'final' ? o?.finalAt : o?.stages[type])).filter((t) => t !== undefined);
          const span = (Math.max(...times) - wall0) / 1000;
          return [name, times.length > 0 ? times.length / Math.max(span, STEP_SECONDS) : 0];
        }),
      );
      const step = {
        offered: rate,
        sent: total,
        accepted: ids.length,
        errors,
        intakeRate: ids.length / sentFor,
        intake: pcts(intake),
        finished: orders.length,
        sagaRate: orders.length / Math.max(STEP_SECONDS, (lastFinal - wall0) / 1000),
        overhead: pcts(orders.filter((o) => o.final === 'OrderCompleted').map((o) => o.finalAt - o.placedAt - BREW_SECONDS * 1000)),
        stageRates,
        maxPending: Object.fromEntries(Object.keys(series.at(-1)?.groups ?? {}).map((g) => [g, Math.max(0, ...series.map((s) => s.groups[g]?.pending ?? 0))])),
      };
      steps.push(step);
      console.log(
        `  open loop ${String(rate).padStart(4)} orders/s: intake ${fmt(step.intakeRate)} /s p99 ${fmt(step.intake.p99, 0)} ms, saga ${fmt(step.sagaRate)} /s overhead p50/p99 ${fmt(step.overhead.p50, 0)}/${fmt(step.overhead.p99, 0)} ms, ${step.finished}/${step.accepted} final`,
      );
      const keptUp = step.finished === step.accepted && step.sagaRate >= 0.9 * rate && step.errors === 0;
      if (!keptUp) {
        step.saturated = true;
        break;
      }
      if (r === rates.length - 1 && rate * 1.5 <= MAX_RATE) rates.push(Math.round(rate * 1.5));
      await waitIdle(base, Date.now() + 60_000).catch(() => undefined);
    }
    return { stores: OPEN_STORES.length, brewSeconds: BREW_SECONDS, stepSeconds: STEP_SECONDS, steps };
  });
}

function printLag(series) {
  const groups = Object.keys(series.at(-1)?.groups ?? {});
  if (groups.length === 0) return;
  console.log(`\n  consumer lag over time (pending events / events consumed per second), every 2 s:`);
  console.log(`  ${'t (s)'.padStart(6)}  ${groups.map((g) => g.padStart(16)).join('')}`);
  for (const s of series.filter((_, i) => i % 2 === 1)) {
    console.log(`  ${fmt(s.t, 0).padStart(6)}  ${groups.map((g) => `${s.groups[g]?.pending ?? '-'} / ${fmt(s.groups[g]?.perSecond, 0)}`.padStart(16)).join('')}`);
  }
}

function compareWith(previousFile, run) {
  const before = JSON.parse(readFileSync(previousFile, 'utf8'));
  const rows = [];
  const ratio = (label, a, b, lowerIsBetter = true) => {
    if (!Number.isFinite(a) || !Number.isFinite(b) || b === 0) return;
    rows.push([label, `${fmt(a, 2)} / ${fmt(b, 2)} = ${fmt(a / b, 2)}x${lowerIsBetter ? '' : ' (higher is better)'}`]);
  };
  const c = run.closed;
  const p = before.closed ?? {};
  ratio('round trips per order', c.roundTripsPerOrder, p.roundTripsPerOrder);
  ratio('CPU per order, local host (ms)', c.cpuPerOrder?.host, p.cpuPerOrder?.host);
  ratio('CPU per order, its Azurite (ms)', c.cpuPerOrder?.azurite, p.cpuPerOrder?.azurite);
  ratio('events per order', c.eventsPerOrder, p.eventsPerOrder);
  // Runs before the departure rate measured throughput from the first request to the last final: that
  // figure is `drainRate` now, so an old file compares only against it.
  if (p.drainRate !== undefined) ratio('saga throughput, closed loop', c.sagaRate, p.sagaRate, false);
  ratio('saga drain, closed loop (first request to last final)', c.drainRate ?? c.sagaRate, p.drainRate ?? p.sagaRate, false);
  ratio('intake p50, closed loop', c.intake.p50, p.intake?.p50);
  if (p.drainRate !== undefined) ratio('saga / raw insert rate', c.sagaRate / run.rawInsertRate, p.sagaRate / before.rawInsertRate, false);
  for (const step of run.openLoop?.steps ?? []) {
    const old = before.openLoop?.steps?.find((s) => s.offered === step.offered);
    if (!old) continue;
    ratio(`${step.offered}/s: intake p99`, step.intake.p99, old.intake.p99);
    ratio(`${step.offered}/s: saga overhead p99`, step.overhead.p99, old.overhead.p99);
    ratio(`${step.offered}/s: saga throughput`, step.sagaRate, old.sagaRate, false);
  }
  const width = Math.max(...rows.map(([k]) => k.length), 10);
  console.log(`\nCompared with ${previousFile} (this run / that run):`);
  for (const [k, v] of rows) console.log(`  ${k.padEnd(width)}  ${v}`);
}

async function main() {
  const rawDir = mkdtempSync(path.join(tmpdir(), 'cafe-bench-raw-'));
  const azurite = await startAzurite(root, rawDir, new Logger('warning'));
  let raw;
  try {
    console.log(`measuring the raw insert rate of Azurite (${CONCURRENCY} writers, 3 s)...`);
    raw = await rawInsertRate(azurite.connectionString);
  } finally {
    await azurite.stop();
    rmSync(rawDir, { recursive: true, force: true });
  }
  console.log(`closed-loop pass with the storage journal (as npm start runs)...`);
  const run = await closedPass(true);
  const bare = COMPARE ? (console.log('closed-loop pass without the storage journal (for its cost)...'), await closedPass(false)) : undefined;
  let open;
  if (OPEN_LOOP) {
    console.log(`open-loop steps over ${OPEN_STORES.length} stores, brewing ${BREW_SECONDS} s, ${STEP_SECONDS} s per rate...`);
    open = await openLoop();
  }
  const growth = args.includes('--growth') ? await runGrowth({ root, startHost, startAzurite, Logger, json, sleep, pcts, fmt }) : undefined;

  const rows = [
    ['orders placed / final', `${ORDERS} / ${run.finals} (${run.completed} completed, ${run.finals - run.completed} cancelled)`],
    ['intake rate (answers, first to last)', `${fmt(run.intakeRate)} orders/s`],
    ['intake latency p50 / p95 / p99', `${fmt(run.intake.p50)} / ${fmt(run.intake.p95)} / ${fmt(run.intake.p99)} ms`],
    ['saga throughput (finals, first to last)', `${fmt(run.sagaRate)} orders/s (${fmt((100 * run.sagaRate) / run.intakeRate, 0)} % of intake)`],
    ...(run.drainRate ? [['saga drain (first request to last final)', `${fmt(run.drainRate)} orders/s`]] : []),
    [`completion latency p50 / p95 (brew ${CLOSED_BREW_SECONDS} s a drink)`, `${fmt(run.completion.p50, 0)} / ${fmt(run.completion.p95, 0)} ms`],
    ['table round trips per order', `${fmt(run.roundTripsPerOrder, 2)} (${Object.entries(run.roundTrips).sort((a, b) => b[1] - a[1]).map(([t, n]) => `${t} ${fmt(n, 2)}`).join(', ')}); ${fmt(run.transactionsPerOrder, 2)} of them transactions`],
    ['entities read per order', fmt(run.entitiesReadPerOrder, 2)],
    ['events per order', fmt(run.eventsPerOrder, 2)],
    ['event bytes per order (log, incl. metadata)', fmt(run.bytesPerOrder, 0)],
    ['raw Azurite insert rate, same run', `${fmt(raw)} inserts/s`],
    ...(run.cpuPerOrder ? [['CPU per order: local host, its Azurite', `${fmt(run.cpuPerOrder.host, 1)} ms, ${fmt(run.cpuPerOrder.azurite, 1)} ms`]] : []),
    ['storage-bound limit (raw rate / 8)', `${fmt(raw / 8)} orders/s; saga reaches ${fmt((100 * run.sagaRate) / (raw / 8), 0)} % of it`],
  ];
  if (run.cpuPerOrder) {
    // What this machine's cores allow at the CPU the host and its Azurite spend per order: the bound
    // that binds here, since host and storage share the same cores (docs/capacity.md).
    const cores = availableParallelism();
    const cpuBound = (cores * 1000) / (run.cpuPerOrder.host + run.cpuPerOrder.azurite);
    rows.push([`CPU-bound limit (${cores} cores / CPU per order)`, `${fmt(cpuBound)} orders/s; saga reaches ${fmt((100 * run.sagaRate) / cpuBound, 0)} % of it`]);
  }
  if (run.journalCost) {
    rows.push(
      ['storage journal: writes, fsyncs, bytes per order', `${fmt(run.journalCost.writesPerOrder, 2)}, ${fmt(run.journalCost.fsyncsPerOrder, 2)}, ${fmt(run.journalCost.bytesPerOrder, 0)}`],
      ['storage journal: answers held per round trip', `${fmt(run.journalCost.heldMsPerRoundTrip, 2)} ms on average`],
    );
  }
  if (bare) {
    rows.push(
      ['without the journal: saga throughput, intake p50', `${fmt(bare.sagaRate)} orders/s, ${fmt(bare.intake.p50)} ms`],
      ['journal cost: saga throughput with / without', `${fmt(run.sagaRate / bare.sagaRate, 2)}x`],
      ['journal cost: intake p50 with / without', `${fmt(run.intake.p50 / bare.intake.p50, 2)}x`],
    );
  }
  const width = Math.max(...rows.map(([k]) => k.length));
  console.log(`\nUnmanned Cafe saga benchmark: ${ORDERS} orders, ${CONCURRENCY} concurrent clients, ${CLOSED_STORES.length} stores, Node ${process.version}`);
  for (const [k, v] of rows) console.log(`  ${k.padEnd(width)}  ${v}`);
  printLag(run.lag);
  if (open) {
    console.log(`\n  open loop, ${open.stores} stores, brewing ${open.brewSeconds} s, ${open.stepSeconds} s per rate (latencies in ms; throughput in orders/s):`);
    console.log(`  ${'offered'.padStart(8)} ${'intake/s'.padStart(9)} ${'in p50'.padStart(7)} ${'in p95'.padStart(7)} ${'in p99'.padStart(7)} ${'saga/s'.padStart(7)} ${'ovh p50'.padStart(8)} ${'ovh p95'.padStart(8)} ${'ovh p99'.padStart(8)}  final`);
    for (const s of open.steps) {
      console.log(
        `  ${String(s.offered).padStart(8)} ${fmt(s.intakeRate).padStart(9)} ${fmt(s.intake.p50, 0).padStart(7)} ${fmt(s.intake.p95, 0).padStart(7)} ${fmt(s.intake.p99, 0).padStart(7)} ${fmt(s.sagaRate).padStart(7)} ${fmt(s.overhead.p50, 0).padStart(8)} ${fmt(s.overhead.p95, 0).padStart(8)} ${fmt(s.overhead.p99, 0).padStart(8)}  ${s.finished}/${s.accepted}${s.saturated ? ' (saturated)' : ''}`,
      );
    }
  }
  if (growth) growth.print();

  const result = {
    at: new Date().toISOString(),
    node: process.version,
    settings: { orders: ORDERS, concurrency: CONCURRENCY, rates: RATES, stepSeconds: STEP_SECONDS, stores: OPEN_STORES.length, brewSeconds: BREW_SECONDS },
    rawInsertRate: raw,
    closed: run,
    ...(bare ? { closedWithoutJournal: { sagaRate: bare.sagaRate, intake: bare.intake, roundTripsPerOrder: bare.roundTripsPerOrder } } : {}),
    ...(open ? { openLoop: open } : {}),
    ...(growth ? { growth: growth.result } : {}),
  };
  const dir = path.join(root, 'bench-results');
  mkdirSync(dir, { recursive: true });
  const stamp = result.at.replace(/[:.]/g, '-');
  writeFileSync(path.join(dir, `${stamp}.json`), `${JSON.stringify(result, null, 2)}\n`);
  if (open?.steps.length) writeFileSync(path.join(dir, `${stamp}.svg`), plot(open, run));
  console.log(`\nwrote bench-results/${stamp}.json${open?.steps.length ? ` and bench-results/${stamp}.svg` : ''}`);
  const previous = argValue('--compare');
  if (previous) compareWith(previous, result);
  if (run.finals < ORDERS || (bare && bare.finals < ORDERS)) process.exitCode = 1;
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
