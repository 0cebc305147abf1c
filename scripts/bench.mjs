// `npm run bench`: a bounded load test of the whole saga on this machine (loopback only), printing figures.
//
// It measures the raw insert rate a bare Azurite sustains; then starts the local host as `npm start`
// does (its own Azurite behind the storage journal), places ORDERS orders (CONCURRENCY at a time) over
// HTTP, waits until every one is final, and reports intake latency, saga throughput, completion
// latency, and the work per order: table round trips (counted by the host's storage proxy, by service
// table), events published, event bytes and the journal's fsyncs and bytes. A second pass with the
// journal off (CAFE_STORAGE_JOURNAL=false) prices the journal: the ratios come from the same run.
//
// Settings (environment): BENCH_ORDERS (default 300, at most 3000), BENCH_CONCURRENCY (16, at most 64),
// BENCH_TIMEOUT_SECONDS (180 per pass), BENCH_JOURNAL_COMPARE (true). Nothing here is a pass/fail test:
// it prints what it measured.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const { startAzurite } = require(path.join(root, 'dist/local-host/src/azurite.js'));
const { Logger } = require(path.join(root, 'dist/local-host/src/logger.js'));
const { TableClient } = require('@azure/data-tables');

const ORDERS = Math.min(3000, Number(process.env.BENCH_ORDERS ?? 300));
const CONCURRENCY = Math.min(64, Number(process.env.BENCH_CONCURRENCY ?? 16));
const TIMEOUT_MS = Number(process.env.BENCH_TIMEOUT_SECONDS ?? 180) * 1000;
const STORES = ['bench-a', 'bench-b', 'bench-c', 'bench-d'];
const COMPARE = process.env.BENCH_JOURNAL_COMPARE !== 'false';

const percentile = (values, p) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] : NaN;
};
const fmt = (n, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');

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

function logBytes(dir) {
  let total = 0;
  const hub = path.join(dir, 'eventhubs', 'cafe-events');
  for (const name of readdirSync(hub)) if (name.endsWith('.jsonl')) total += statSync(path.join(hub, name)).size;
  return total;
}

async function eventCount(base) {
  const { body } = await json(base, 'GET', '/_eventhubs');
  return body[0].partitions.reduce((sum, p) => sum + p.lastSequenceNumber + 1, 0);
}

async function waitIdle(base, deadline) {
  while (Date.now() < deadline) {
    const { body } = await json(base, 'GET', '/_eventhubs');
    if (body.every((c) => c.pending === 0)) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('consumers did not catch up in time');
}

const SERVICE_TABLES = ['orders', 'inventory', 'beverages', 'notifications', 'kiosk', 'deadletters', '$batch'];

async function storageStatus(base) {
  return (await json(base, 'GET', '/_storage')).body;
}

function roundTrips(before, after) {
  const counts = new Map();
  for (const table of SERVICE_TABLES) {
    const n = (after.proxy?.byTable?.[table] ?? 0) - (before.proxy?.byTable?.[table] ?? 0);
    if (n > 0) counts.set(table === '$batch' ? 'transactions' : table, n);
  }
  return counts;
}

async function startHost(dataDir, journal) {
  const host = spawn(process.execPath, [path.join(root, 'dist/local-host/src/main.js')], {
    env: {
      ...process.env,
      PORT: '0',
      CAFE_DATA_DIR: dataDir,
      CAFE_LOG_LEVEL: 'error',
      CAFE_STORAGE_JOURNAL: journal ? 'true' : 'false',
      BREW_SECONDS: '0.5',
      BREW_SWEEP_SCHEDULE: '*/1 * * * * *',
      ORDER_SWEEP_SCHEDULE: '*/10 * * * * *',
      ORDER_NUDGE_AFTER_SECONDS: '60',
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

/** One pass: the whole saga for ORDERS orders on a fresh host and data folder. */
async function sagaPass(journal) {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'cafe-bench-'));
  let host;
  try {
    const started0 = await startHost(dataDir, journal);
    host = started0.host;
    const base = started0.base;
    const deadline = Date.now() + TIMEOUT_MS;

    // Enough cups for roughly three orders in four, so both outcomes are exercised.
    for (const store of STORES) await json(base, 'PUT', `/inventories/${store}`, { cups: Math.ceil((ORDERS / STORES.length) * 1.5 * 0.75) });
    // Warm-up: first use creates the tables and loads the code paths.
    const warm = await json(base, 'POST', '/orders', { storeId: 'warmup', customerId: 'warm', items: [{ menuItemId: 'americano', quantity: 1 }] });
    while ((await json(base, 'GET', `/orders/${warm.body.id}`)).body.status === 'pending' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    await waitIdle(base, deadline);

    const storageBefore = await storageStatus(base);
    const eventsBefore = await eventCount(base);
    const bytesBefore = logBytes(dataDir);
    const intake = [];
    let next = 0;
    const started = Date.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < ORDERS && Date.now() < deadline) {
          const i = next++;
          const t = performance.now();
          const r = await json(base, 'POST', '/orders', { storeId: STORES[i % STORES.length], customerId: `bench-${i}`, items: [{ menuItemId: 'americano', quantity: 1 + (i % 2) }] });
          if (r.status !== 202) throw new Error(`POST /orders answered ${r.status}`);
          intake.push(performance.now() - t);
        }
      }),
    );
    const accepted = Date.now();

    let finals = [];
    while (Date.now() < deadline) {
      finals = (await Promise.all(STORES.map((s) => json(base, 'GET', `/orders?storeId=${s}&limit=1000`)))).flatMap((r) => r.body).filter((o) => o.status === 'completed' || o.status === 'cancelled');
      if (finals.length >= ORDERS) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    const finished = Date.now();
    await waitIdle(base, deadline);
    const storageAfter = await storageStatus(base);
    const tableCalls = roundTrips(storageBefore, storageAfter);
    const completed = finals.filter((o) => o.status === 'completed');
    return {
      finals: finals.length,
      completed: completed.length,
      intake,
      intakeRate: ORDERS / ((accepted - started) / 1000),
      sagaRate: finals.length / ((finished - started) / 1000),
      latencies: completed.map((o) => Date.parse(o.updatedAt) - Date.parse(o.createdAt)),
      tableCalls,
      tableTotal: [...tableCalls.values()].reduce((a, b) => a + b, 0),
      events: (await eventCount(base)) - eventsBefore,
      bytes: logBytes(dataDir) - bytesBefore,
      journal: storageAfter.journal && {
        fsyncs: storageAfter.journal.fsyncs - storageBefore.journal.fsyncs,
        bytes: storageAfter.journal.bytes - storageBefore.journal.bytes,
        writes: storageAfter.journal.writes - storageBefore.journal.writes,
        heldMs: storageAfter.proxy.heldMs - storageBefore.proxy.heldMs,
        requests: storageAfter.proxy.requests - storageBefore.proxy.requests,
      },
    };
  } finally {
    if (host && host.exitCode === null) {
      host.kill('SIGTERM');
      await new Promise((r) => host.once('exit', r));
    }
    rmSync(dataDir, { recursive: true, force: true });
  }
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
  console.log(`saga pass with the storage journal (as npm start runs)...`);
  const run = await sagaPass(true);
  const bare = COMPARE ? (console.log('saga pass without the storage journal (for its cost)...'), await sagaPass(false)) : undefined;

  const rows = [
    ['orders placed / final', `${ORDERS} / ${run.finals} (${run.completed} completed, ${run.finals - run.completed} cancelled)`],
    ['intake rate (POST /orders)', `${fmt(run.intakeRate)} orders/s`],
    ['intake latency p50 / p95 / p99', `${fmt(percentile(run.intake, 50))} / ${fmt(percentile(run.intake, 95))} / ${fmt(percentile(run.intake, 99))} ms`],
    ['saga throughput (placed to final)', `${fmt(run.sagaRate)} orders/s`],
    ['completion latency p50 / p95 (brew 0.5 s + 1 s sweep)', `${fmt(percentile(run.latencies, 50), 0)} / ${fmt(percentile(run.latencies, 95), 0)} ms`],
    ['table round trips per order', `${fmt(run.tableTotal / ORDERS, 2)} (${[...run.tableCalls].sort((a, b) => b[1] - a[1]).map(([t, n]) => `${t} ${fmt(n / ORDERS, 2)}`).join(', ')})`],
    ['events per order', fmt(run.events / ORDERS, 2)],
    ['event bytes per order (log, incl. metadata)', fmt(run.bytes / ORDERS, 0)],
    ['raw Azurite insert rate, same run', `${fmt(raw)} inserts/s`],
    ['saga throughput / raw insert rate', `${fmt((100 * run.sagaRate) / raw)} % (one order needs about ${fmt(run.tableTotal / ORDERS, 1)} round trips)`],
  ];
  if (run.journal) {
    rows.push(
      ['storage journal: writes, fsyncs, bytes per order', `${fmt(run.journal.writes / ORDERS, 2)}, ${fmt(run.journal.fsyncs / ORDERS, 2)}, ${fmt(run.journal.bytes / ORDERS, 0)}`],
      ['storage journal: answers held per round trip', `${fmt(run.journal.heldMs / Math.max(1, run.journal.requests), 2)} ms on average`],
    );
  }
  if (bare) {
    rows.push(
      ['without the journal: saga throughput, intake p50', `${fmt(bare.sagaRate)} orders/s, ${fmt(percentile(bare.intake, 50))} ms`],
      ['journal cost: saga throughput with / without', `${fmt(run.sagaRate / bare.sagaRate, 2)}x`],
      ['journal cost: intake p50 with / without', `${fmt(percentile(run.intake, 50) / percentile(bare.intake, 50), 2)}x`],
    );
  }
  const width = Math.max(...rows.map(([k]) => k.length));
  console.log(`\nUnmanned Cafe saga benchmark: ${ORDERS} orders, ${CONCURRENCY} concurrent clients, ${STORES.length} stores, Node ${process.version}`);
  for (const [k, v] of rows) console.log(`  ${k.padEnd(width)}  ${v}`);
  if (run.finals < ORDERS || (bare && bare.finals < ORDERS)) process.exitCode = 1;
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
