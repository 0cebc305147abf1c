// `npm run bench`: a bounded load test of the whole saga on this machine (loopback only), printing figures.
//
// It starts Azurite, a counting proxy in front of it and the local host; measures the raw insert rate
// Azurite sustains; then places ORDERS orders (CONCURRENCY at a time) over HTTP, waits until every one
// is final, and reports intake latency, saga throughput, completion latency, and the work per order:
// table round trips (by service table), events published, and event bytes.
//
// Settings (environment): BENCH_ORDERS (default 300, at most 3000), BENCH_CONCURRENCY (16, at most 64),
// BENCH_TIMEOUT_SECONDS (180). Nothing here is a pass/fail test: it prints what it measured.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, readdirSync, statSync } from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const { startAzurite, tableConnectionString, freePort } = require(path.join(root, 'dist/local-host/src/azurite.js'));
const { Logger } = require(path.join(root, 'dist/local-host/src/logger.js'));
const { TableClient } = require('@azure/data-tables');

const ORDERS = Math.min(3000, Number(process.env.BENCH_ORDERS ?? 300));
const CONCURRENCY = Math.min(64, Number(process.env.BENCH_CONCURRENCY ?? 16));
const TIMEOUT_MS = Number(process.env.BENCH_TIMEOUT_SECONDS ?? 180) * 1000;
const STORES = ['bench-a', 'bench-b', 'bench-c', 'bench-d'];

const percentile = (values, p) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] : NaN;
};
const fmt = (n, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');

/** Forwards every request to Azurite and counts them per table, so the saga's round trips show. */
function countingProxy(targetPort) {
  const counts = new Map();
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const server = http.createServer((req, res) => {
    const table = /^\/devstoreaccount1\/([A-Za-z0-9]+)|^\/devstoreaccount1\/\$batch/.exec(req.url ?? '')?.[1] ?? (req.url?.includes('$batch') ? 'batch' : 'other');
    const key = `${table.replace(/\(.*$/, '')}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
    const upstream = http.request({ host: '127.0.0.1', port: targetPort, method: req.method, path: req.url, headers: req.headers, agent }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    upstream.on('error', () => {
      res.writeHead(502);
      res.end();
    });
    req.pipe(upstream);
  });
  return { server, counts, total: () => [...counts.values()].reduce((a, b) => a + b, 0) };
}

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

async function main() {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'cafe-bench-'));
  const azurite = await startAzurite(root, path.join(dataDir, 'azurite'), new Logger('warning'));
  const proxy = countingProxy(azurite.port);
  const proxyPort = await freePort();
  await new Promise((r) => proxy.server.listen(proxyPort, '127.0.0.1', r));
  let host;
  try {
    console.log(`measuring the raw insert rate of Azurite (${CONCURRENCY} writers, 3 s)...`);
    const raw = await rawInsertRate(azurite.connectionString);

    host = spawn(process.execPath, [path.join(root, 'dist/local-host/src/main.js')], {
      env: {
        ...process.env,
        PORT: '0',
        CAFE_DATA_DIR: dataDir,
        CAFE_LOG_LEVEL: 'error',
        TablesConnection: tableConnectionString(proxyPort),
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
    const deadline = Date.now() + TIMEOUT_MS;

    // Enough cups for roughly three orders in four, so both outcomes are exercised.
    for (const store of STORES) await json(base, 'PUT', `/inventories/${store}`, { cups: Math.ceil((ORDERS / STORES.length) * 1.5 * 0.75) });
    // Warm-up: first use creates the tables and loads the code paths.
    const warm = await json(base, 'POST', '/orders', { storeId: 'warmup', customerId: 'warm', items: [{ menuItemId: 'americano', quantity: 1 }] });
    while ((await json(base, 'GET', `/orders/${warm.body.id}`)).body.status === 'pending' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    await waitIdle(base, deadline);

    proxy.counts.clear();
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
    const tableCalls = new Map(proxy.counts);
    const tableTotal = [...tableCalls.values()].reduce((a, b) => a + b, 0);
    const events = (await eventCount(base)) - eventsBefore;
    const bytes = logBytes(dataDir) - bytesBefore;
    const completed = finals.filter((o) => o.status === 'completed');
    const latencies = completed.map((o) => Date.parse(o.updatedAt) - Date.parse(o.createdAt));
    const cancelled = finals.length - completed.length;
    const sagaRate = finals.length / ((finished - started) / 1000);

    const rows = [
      ['orders placed / final', `${ORDERS} / ${finals.length} (${completed.length} completed, ${cancelled} cancelled)`],
      ['intake rate (POST /orders)', `${fmt(ORDERS / ((accepted - started) / 1000))} orders/s`],
      ['intake latency p50 / p95 / p99', `${fmt(percentile(intake, 50))} / ${fmt(percentile(intake, 95))} / ${fmt(percentile(intake, 99))} ms`],
      ['saga throughput (placed to final)', `${fmt(sagaRate)} orders/s`],
      ['completion latency p50 / p95 (brew 0.5 s + 1 s sweep)', `${fmt(percentile(latencies, 50), 0)} / ${fmt(percentile(latencies, 95), 0)} ms`],
      ['table round trips per order', `${fmt(tableTotal / ORDERS, 2)} (${[...tableCalls].sort((a, b) => b[1] - a[1]).map(([t, n]) => `${t} ${fmt(n / ORDERS, 2)}`).join(', ')})`],
      ['events per order', fmt(events / ORDERS, 2)],
      ['event bytes per order (log, incl. metadata)', fmt(bytes / ORDERS, 0)],
      ['raw Azurite insert rate, same run', `${fmt(raw)} inserts/s`],
      ['saga throughput / raw insert rate', `${fmt((100 * sagaRate) / raw)} % (one order needs about ${fmt(tableTotal / ORDERS, 1)} round trips)`],
    ];
    const width = Math.max(...rows.map(([k]) => k.length));
    console.log(`\nUnmanned Cafe saga benchmark: ${ORDERS} orders, ${CONCURRENCY} concurrent clients, ${STORES.length} stores, Node ${process.version}`);
    for (const [k, v] of rows) console.log(`  ${k.padEnd(width)}  ${v}`);
    if (finals.length < ORDERS) process.exitCode = 1;
  } finally {
    if (host && host.exitCode === null) {
      host.kill('SIGTERM');
      await new Promise((r) => host.once('exit', r));
    }
    proxy.server.close();
    await azurite.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
