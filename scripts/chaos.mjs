// `npm run chaos`: a seeded, bounded fault campaign against the product as a user runs it (`npm start`),
// over the public HTTP API and real process signals, followed by a check of everything it saw.
//
// It starts `node local-host/start.mjs` (embedded Azurite, one data folder kept across restarts) in a process
// group of its own, places orders from many clients with competing stock and restocks, and meanwhile SIGKILLs
// and SIGTERMs the whole group (restarting it on the same folder each time) and pauses the embedded table
// service (SIGSTOP, then SIGCONT). Every request and answer goes to chaos-results/<stamp>.history.jsonl.
// Once every accepted order is final (or a bounded wait ends) the checker reads the outcome through the API
// and prints a table; chaos-results/<stamp>.json keeps the figures and the offending orders. Exit code 0 only
// when every figure is zero. See the README, "Chaos campaign".
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { check, FINAL } from './chaos/checker.mjs';
import { History, call } from './chaos/history.mjs';
import { ProductHost } from './chaos/host.mjs';
import { createRequire } from 'node:module';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { freePort } = createRequire(import.meta.url)(path.join(root, 'dist/local-host/src/azurite.js'));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------- options
const { values: args } = parseArgs({
  options: {
    orders: { type: 'string' },
    stores: { type: 'string' },
    clients: { type: 'string' },
    kills: { type: 'string' },
    terms: { type: 'string' },
    'outage-seconds': { type: 'string' },
    seed: { type: 'string' },
    'data-dir': { type: 'string' },
    'timeout-seconds': { type: 'string' },
    'delivery-fault-share': { type: 'string' },
    short: { type: 'boolean', default: false },
  },
});
const DEFAULTS = args.short
  ? { orders: 300, stores: 6, clients: 24, kills: 2, terms: 0, 'outage-seconds': 5, seed: 1, 'timeout-seconds': 480 }
  : { orders: 10_000, stores: 6, clients: 24, kills: 5, terms: 1, 'outage-seconds': 20, seed: 1, 'timeout-seconds': 3600 };
function intOption(name, min, max) {
  const raw = args[name] ?? String(DEFAULTS[name]);
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    console.error(`--${name} must be an integer from ${min} to ${max}, not "${raw}"`);
    process.exit(2);
  }
  return value;
}
const opt = {
  orders: intOption('orders', 1, 100_000),
  stores: intOption('stores', 1, 50),
  clients: intOption('clients', 1, 128),
  kills: intOption('kills', 0, 50),
  terms: intOption('terms', 0, 50),
  outageSeconds: intOption('outage-seconds', 0, 20),
  seed: intOption('seed', 0, 2 ** 31 - 1),
  timeoutSeconds: intOption('timeout-seconds', 30, 6 * 3600),
};

/** Grace after a fault window ends during which 5xx and unanswered requests are still blamed on the fault. */
const GRACE_MS = 5_000;
/** Settle phase: stop waiting once no order changed for this long (above the sweep's nudge delay). */
const STALL_MS = 30_000;
const SETTLE_MAX_MS = Math.max(300_000, opt.orders * 100);
const NUDGE_SECONDS = 30;
const HOST_ENV = {
  CAFE_LOG_LEVEL: 'warning',
  BREW_SECONDS: '1',
  BREW_SWEEP_SCHEDULE: '*/1 * * * * *',
  ORDER_SWEEP_SCHEDULE: '*/2 * * * * *',
  // Intake is bounded at about 10 s; the sweep must not nudge an order whose intake may still be running.
  ORDER_NUDGE_AFTER_SECONDS: String(NUDGE_SECONDS),
  // Duplicate and concurrent deliveries: every batch in the short run; a share of them in a long run,
  // where a second process fighting over every row would only slow the saga to a crawl.
  CAFE_DELIVER_TWICE: args['delivery-fault-share'] ?? (args.short ? '0.5' : '0.2'),
  CAFE_CONCURRENT_DELIVERY: args['delivery-fault-share'] ?? (args.short ? '0.5' : '0.2'),
};

// ---------------------------------------------------------------- the seeded plan
function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const runId = Date.now().toString(36);
const stamp = new Date().toISOString().replace(/[:.]/g, '-');
const rng = mulberry32(opt.seed);
const pick = (list) => list[Math.floor(rng() * list.length)];
const MENU = ['americano', 'cafe-latte', 'iced-tea'];
const stores = Array.from({ length: opt.stores }, (_, i) => `chaos-${i + 1}`);

const orders = Array.from({ length: opt.orders }, (_, i) => {
  const storeId = pick(stores);
  const kinds = rng() < 0.5 ? 1 : 2;
  const menu = [...MENU].sort(() => rng() - 0.5).slice(0, kinds);
  const items = menu.map((menuItemId) => ({ menuItemId, quantity: 1 + Math.floor(rng() * 2) }));
  return {
    index: i,
    key: `chaos-${runId}-${i}`,
    customerId: `chaos-${runId}-c${i}`,
    storeId,
    items,
    cups: items.reduce((s, it) => s + it.quantity, 0),
    /** order id → when the first 202 naming it arrived */
    answered: {},
    rejected: undefined,
  };
});
// Stock for half of each store's demand at the start and a quarter more in restocks during the run, so
// stores run dry and orders compete for the last cups (some are cancelled out-of-cups).
const demand = new Map(stores.map((s) => [s, 0]));
for (const o of orders) demand.set(o.storeId, demand.get(o.storeId) + o.cups);
const totalDemand = [...demand.values()].reduce((a, b) => a + b, 0);
const initial = new Map(stores.map((s) => [s, Math.floor(demand.get(s) * 0.5)]));
const restockCount = opt.stores * 4;
const restocks = Array.from({ length: restockCount }, (_, r) => ({
  n: r,
  at: Math.floor(((r + 1) / (restockCount + 1)) * opt.orders * 0.95),
  storeId: pick(stores),
  cups: Math.max(1, Math.round((totalDemand * 0.25) / restockCount)),
  key: `chaos-${runId}-restock-${r}`,
  acked: false,
}));
const faultKinds = [...Array(opt.kills).fill('SIGKILL'), ...Array(opt.terms).fill('SIGTERM'), ...(opt.outageSeconds > 0 ? ['outage'] : [])];
for (let i = faultKinds.length - 1; i > 0; i--) {
  const j = Math.floor(rng() * (i + 1));
  [faultKinds[i], faultKinds[j]] = [faultKinds[j], faultKinds[i]];
}
// Spread over the load: fault k falls somewhere in the k-th slice of 8 %..92 % of the accepted orders.
const faults = faultKinds.map((kind, k) => ({ kind, at: Math.floor(opt.orders * (0.08 + (0.84 * (k + 0.15 + 0.7 * rng())) / faultKinds.length)) }));

// ---------------------------------------------------------------- state
const resultsDir = path.join(root, 'chaos-results');
mkdirSync(resultsDir, { recursive: true });
const logDir = path.join(resultsDir, `${stamp}-host`);
mkdirSync(logDir, { recursive: true });
const ownDataDir = args['data-dir'] === undefined;
const dataDir = ownDataDir ? mkdtempSync(path.join(tmpdir(), 'cafe-chaos-')) : path.resolve(args['data-dir']);
const history = new History(path.join(resultsDir, `${stamp}.history.jsonl`));
const windows = [];
const faultsNotApplied = [];
const appliedFaults = [];
const status = new Map(); // order id → last status read (or 404)
let acked = 0;
let negativeStockReads = 0;
let stockSamples = 0;
let loadDone = false;
let aborted = false;
let expectingExit = false;
let host;

const log = (line) => console.log(`[chaos ${((Date.now() - startedAt) / 1000).toFixed(1).padStart(6)} s] ${line}`);
const startedAt = Date.now();

function noteOrderRead(id, response) {
  const value = response.status === 404 ? 404 : response.status === 200 || response.status === 202 ? response.body?.status : undefined;
  if (value === undefined) return;
  history.noteRead(id, response.start, response.end, value);
  status.set(id, value);
}

const retryable = (r) => r.status === undefined || r.status >= 500 || r.status === 429 || r.status === 408;
const backoff = (attempt) => sleep(Math.min(2_000, 100 * 2 ** attempt) * (0.5 + Math.random()));

/** A request retried (with the same key) until it gets a non-retryable answer, or the run ends. */
async function persist(request) {
  for (let attempt = 0; !aborted; attempt++) {
    const response = await call(history, host.base, request);
    if (!retryable(response)) return response;
    await backoff(Math.min(attempt, 5));
  }
  return { status: undefined, error: 'aborted' };
}

// ---------------------------------------------------------------- load
async function place(order, client) {
  const response = await persist({ client, method: 'POST', path: '/orders', key: order.key, body: { storeId: order.storeId, customerId: order.customerId, items: order.items } });
  if (response.status === 202 && response.body?.id) {
    const id = response.body.id;
    order.answered[id] ??= response.end;
    noteOrderRead(id, response);
    return true;
  }
  if (response.status !== undefined) order.rejected = { status: response.status, body: response.body };
  return false;
}

async function client(c) {
  const name = `client-${c}`;
  for (;;) {
    const order = orders[nextOrder++];
    if (!order || aborted) return;
    if (await place(order, name)) acked++;
    // Now and then a client sends an accepted order again with its key: it must get the same order back,
    // also after a restart (a lost key would place a second order).
    if (Math.random() < 0.03) {
      const earlier = orders[Math.floor(Math.random() * nextOrder)];
      if (Object.keys(earlier.answered).length > 0) await place(earlier, `${name}-replay`);
    }
  }
}
let nextOrder = 0;

async function restocker() {
  for (const restock of restocks) {
    while (!aborted && acked < restock.at && !loadDone) await sleep(100);
    if (aborted) return;
    const response = await persist({ client: 'restocker', method: 'POST', path: `/inventories/${restock.storeId}/restock`, key: restock.key, body: { cups: restock.cups } });
    restock.acked = response.status === 200;
    if (!restock.acked) log(`restock ${restock.n} answered ${response.status ?? response.error}`);
  }
}

async function sampler() {
  let tick = 0;
  while (!aborted && !(loadDone && faultsDone)) {
    tick++;
    const ids = orders.flatMap((o) => Object.keys(o.answered));
    const open = ids.filter((id) => !FINAL.has(status.get(id)));
    const chosen = [...Array.from({ length: 6 }, () => pick(open)), ...Array.from({ length: 2 }, () => pick(ids))].filter(Boolean);
    await Promise.all(chosen.map(async (id) => noteOrderRead(id, await call(history, host.base, { client: 'sampler', method: 'GET', path: `/orders/${id}`, orderId: id }))));
    if (tick % 3 === 0) {
      const response = await call(history, host.base, { client: 'sampler', method: 'GET', path: '/inventories?limit=1000' });
      if (response.status === 200 && Array.isArray(response.body)) {
        for (const row of response.body) {
          if (!stores.includes(row.storeId)) continue;
          stockSamples++;
          if (row.cups < 0) negativeStockReads++;
        }
      }
    }
    await sleep(300);
  }
}

// ---------------------------------------------------------------- faults
let faultsDone = false;
async function restart(kind, stop) {
  const window = { kind, start: Date.now(), end: Number.POSITIVE_INFINITY };
  const at = acked;
  windows.push(window);
  expectingExit = true;
  const outcome = await stop();
  await host.start();
  expectingExit = false;
  watchHost();
  window.end = Date.now();
  appliedFaults.push({ kind, at, downMs: window.end - window.start, ...outcome });
  log(`${kind} of process group applied at ${at} accepted orders; host listening again after ${((window.end - window.start) / 1000).toFixed(1)} s${outcome?.escalated ? ' (SIGTERM did not end it: escalated to SIGKILL)' : ''}`);
}

async function outage() {
  const pid = host.azuritePid();
  if (pid === undefined) {
    faultsNotApplied.push('storage outage: no embedded Azurite process found under the host');
    log('storage outage NOT applied: no descendant process of the host mentions azurite');
    return;
  }
  const window = { kind: 'outage', start: Date.now(), end: Number.POSITIVE_INFINITY };
  const at = acked;
  windows.push(window);
  process.kill(pid, 'SIGSTOP');
  log(`table service paused (SIGSTOP to Azurite pid ${pid}) for ${opt.outageSeconds} s at ${acked} accepted orders`);
  try {
    await sleep(opt.outageSeconds * 1000);
  } finally {
    process.kill(pid, 'SIGCONT');
  }
  window.end = Date.now();
  appliedFaults.push({ kind: 'outage', at, downMs: window.end - window.start });
  log('table service resumed (SIGCONT)');
}

async function faultRunner() {
  let lastEnd = 0;
  for (const fault of faults) {
    while (!aborted && !loadDone && acked < fault.at) await sleep(50);
    // Faults that fall after the load still come, at least 3 s apart, while the sagas are in flight.
    while (!aborted && Date.now() - lastEnd < 3_000) await sleep(100);
    if (aborted) return;
    if (fault.kind === 'SIGKILL') await restart('SIGKILL', () => host.kill());
    else if (fault.kind === 'SIGTERM') await restart('SIGTERM', () => host.terminate());
    else await outage();
    lastEnd = Date.now();
  }
  faultsDone = true;
}

function watchHost() {
  const current = host.child;
  void host.exited.then(({ code, signal }) => {
    if (expectingExit || aborted || host.child !== current) return;
    fatal(new Error(`the host exited on its own (code ${code}, signal ${signal}); see ${path.relative(root, logDir)}`));
  });
}

// ---------------------------------------------------------------- settle and read the outcome
async function pool(items, width, work) {
  let i = 0;
  await Promise.all(Array.from({ length: width }, async () => {
    while (i < items.length && !aborted) await work(items[i++]);
  }));
}

/** The consumers' lag (events not yet checkpointed) and progress (events checkpointed), from the local host's /_eventhubs. */
async function consumers() {
  const r = await call(history, host.base, { client: 'settle', method: 'GET', path: '/_eventhubs' });
  if (r.status !== 200 || !Array.isArray(r.body)) return { lag: undefined, done: undefined };
  const lag = r.body.reduce((sum, c) => sum + c.pending, 0);
  const done = r.body.reduce((sum, c) => sum + c.partitions.reduce((s, p) => s + p.nextSequenceNumber, 0), 0);
  return { lag, done };
}

/**
 * Waits until every accepted order is final and the consumers have caught up, as long as something moves
 * (the consumers checkpoint, or fewer orders are open) and within SETTLE_MAX_MS. While the consumers lag,
 * only a sample of the open orders is read, so the reads do not slow the saga down.
 */
async function settle() {
  const deadline = Date.now() + SETTLE_MAX_MS;
  let lastProgress = Date.now();
  let lastDone = -1;
  let lowOpen = Number.POSITIVE_INFINITY;
  let lastLog = Date.now();
  for (;;) {
    const { lag, done } = await consumers();
    let open = orders.flatMap((o) => Object.keys(o.answered)).filter((id) => !FINAL.has(status.get(id)));
    const sample = lag ? open.sort(() => Math.random() - 0.5).slice(0, 50) : open;
    await pool(sample, 16, async (id) => noteOrderRead(id, await call(history, host.base, { client: 'settle', method: 'GET', path: `/orders/${id}`, orderId: id })));
    open = open.filter((id) => !FINAL.has(status.get(id)));
    if (open.length === 0 && lag === 0) return { open: 0, lag };
    if ((done !== undefined && done > lastDone) || open.length < lowOpen) lastProgress = Date.now();
    lastDone = Math.max(lastDone, done ?? -1);
    lowOpen = Math.min(lowOpen, open.length);
    if (Date.now() - lastLog > 10_000) {
      lastLog = Date.now();
      log(`settling: ${open.length} accepted orders not final, ${lag ?? 'unknown'} events pending in the consumers`);
    }
    if (aborted || Date.now() > deadline || Date.now() - lastProgress > STALL_MS) return { open: open.length, lag };
    await sleep(1_000);
  }
}

/** A read for the checker, retried a few times on a network error (never on an answer). */
async function read(pathname, orderId) {
  let response;
  for (let attempt = 0; attempt < 5; attempt++) {
    response = await call(history, host.base, { client: 'checker', method: 'GET', path: pathname, orderId });
    if (response.status !== undefined) return response;
    await backoff(attempt);
  }
  return response;
}

async function readOutcome() {
  const finals = {};
  await pool(orders, 16, async (order) => {
    const listed = await read(`/orders?customerId=${encodeURIComponent(order.customerId)}&limit=1000`);
    order.found = listed.status === 200 && Array.isArray(listed.body) ? listed.body.map((o) => o.id) : undefined;
    for (const o of listed.body ?? []) if (o?.id) history.noteRead(o.id, listed.start, listed.end, o.status);
    for (const id of new Set([...Object.keys(order.answered), ...(order.found ?? [])])) {
      const got = await read(`/orders/${id}`, id);
      noteOrderRead(id, got);
      const final = { status: got.status === 200 ? got.body.status : got.status === 404 ? 404 : `http ${got.status ?? got.error}`, storeId: got.body?.storeId, cups: got.body?.cups };
      if (got.status === 200) {
        const [notes, drinks, kiosk] = await Promise.all([
          read(`/notifications?customerId=${encodeURIComponent(order.customerId)}&orderId=${id}`, id),
          read(`/beverages?orderId=${id}`, id),
          read(`/kiosk/orders/${id}`, id),
        ]);
        final.notifications = Array.isArray(notes.body) ? notes.body.map((n) => n.kind) : [`http ${notes.status}`];
        final.beverages = Array.isArray(drinks.body) ? drinks.body.map((b) => b.status) : [`http ${drinks.status}`];
        final.kiosk = kiosk.status === 200 ? kiosk.body.status : kiosk.status === 404 ? 404 : `http ${kiosk.status}`;
      }
      finals[id] = final;
    }
  });
  const finalStock = new Map();
  for (const storeId of stores) {
    const r = await read(`/inventories/${storeId}`);
    if (r.status === 200) {
      finalStock.set(storeId, r.body.cups);
      stockSamples++;
      if (r.body.cups < 0) negativeStockReads++;
    }
  }
  return { finals, finalStock };
}

// ---------------------------------------------------------------- report
function report(result, extra) {
  const finals = Object.values(extra.finals ?? {});
  const count = (s) => finals.filter((f) => f.status === s).length;
  const lines = [
    '',
    `  chaos run ${stamp}  seed ${opt.seed}, ${opt.orders} orders, ${opt.stores} stores, ${opt.clients} clients`,
    `  faults applied: ${appliedFaults.map((f) => `${f.kind}@${f.at}`).join(', ') || 'none'}`,
    `  accepted ${acked}, completed ${count('completed')}, cancelled ${count('cancelled')}; restocks acknowledged ${restocks.filter((r) => r.acked).length}/${restocks.length}; stock reads ${stockSamples}`,
    `  ${history.requests} requests, ${history.failures.length} answered 5xx or not at all (${history.failures.length - result.detail.failuresOutside.length} inside fault windows); load ${extra.loadSeconds?.toFixed(1) ?? '?'} s, run ${((Date.now() - startedAt) / 1000).toFixed(1)} s`,
    '',
    ...result.metrics.map((m) => `  ${m.name.padEnd(72, '.')} ${String(m.value).padStart(6)}`),
    '',
    `  ${result.ok ? 'PASS: every figure is zero' : 'FAIL'}${extra.note ? ` (${extra.note})` : ''}`,
    `  history: ${path.relative(root, history.file)}   figures: chaos-results/${stamp}.json   host logs: ${path.relative(root, logDir)}/`,
    '',
  ];
  console.log(lines.join('\n'));
}

function writeResult(result, extra) {
  const file = path.join(resultsDir, `${stamp}.json`);
  const trim = (list) => list.slice(0, 50);
  writeFileSync(
    file,
    `${JSON.stringify(
      {
        stamp, ok: result.ok, options: opt, hostSettings: HOST_ENV, dataDir, appliedFaults, faultsNotApplied, windows,
        metrics: result.metrics, requests: history.requests, loadSeconds: extra.loadSeconds, runSeconds: (Date.now() - startedAt) / 1000,
        note: extra.note, examples: Object.fromEntries(Object.entries(result.detail).map(([k, v]) => [k, trim(v)])),
      },
      null,
      2,
    )}\n`,
  );
}

// ---------------------------------------------------------------- run
let finishing;
async function finish(code) {
  aborted = true;
  finishing ??= (async () => {
    await host?.stopAll().catch((error) => console.error(`could not stop the host: ${error.message}`));
    await history.close();
    if (code === 0 && ownDataDir) rmSync(dataDir, { recursive: true, force: true });
    else console.log(`  data folder kept: ${dataDir}`);
    process.exit(code);
  })();
  return finishing;
}

function fatal(error) {
  console.error(`chaos: ${error.message}`);
  const result = check({ orders, finals: {}, reads: history.reads, stores: [], negativeStockReads, failures: history.failures, windows, graceMs: GRACE_MS, faultsNotApplied: [...faultsNotApplied, `run aborted: ${error.message}`] });
  writeResult({ ...result, ok: false }, { note: error.message });
  void finish(1);
}

async function main() {
  const port = await freePort();
  host = new ProductHost({ root, port, dataDir, env: HOST_ENV, logDir, log });
  log(`seed ${opt.seed}: ${opt.orders} orders (${totalDemand} cups) over ${opt.stores} stores from ${opt.clients} clients; faults ${faults.map((f) => `${f.kind}@${f.at}`).join(', ') || 'none'}; data ${dataDir}`);
  await host.start();
  watchHost();
  log(`host listening on ${host.base}`);
  for (const storeId of stores) {
    const r = await persist({ client: 'setup', method: 'PUT', path: `/inventories/${storeId}`, body: { cups: initial.get(storeId) } });
    if (r.status !== 200) throw new Error(`PUT /inventories/${storeId} answered ${r.status}`);
  }

  const loadStart = Date.now();
  const progress = setInterval(() => log(`${acked}/${opt.orders} orders accepted`), 10_000);
  const background = [faultRunner(), restocker(), sampler()];
  await Promise.all(Array.from({ length: opt.clients }, (_, c) => client(c)));
  loadDone = true;
  const loadSeconds = (Date.now() - loadStart) / 1000;
  log(`load done: ${acked} accepted in ${loadSeconds.toFixed(1)} s; waiting for the faults and restocks still due`);
  await Promise.all(background);
  clearInterval(progress);

  log('settling: waiting until every accepted order is final');
  const settled = await settle();
  if (settled.open > 0 || settled.lag !== 0) log(`settling ended with ${settled.open} accepted orders not final and ${settled.lag ?? 'unknown'} events pending; checking anyway`);
  log('reading the outcome through the API');
  const { finals, finalStock } = await readOutcome();
  const result = check({
    orders,
    finals,
    reads: history.reads,
    stores: stores.map((storeId) => ({
      storeId,
      initial: initial.get(storeId),
      restocked: restocks.filter((r) => r.acked && r.storeId === storeId).reduce((s, r) => s + r.cups, 0),
      final: finalStock.get(storeId),
    })),
    negativeStockReads,
    failures: history.failures,
    windows,
    graceMs: GRACE_MS,
    faultsNotApplied,
  });
  report(result, { finals, loadSeconds });
  writeResult(result, { loadSeconds });
  await finish(result.ok ? 0 : 1);
}

setTimeout(() => fatal(new Error(`the run exceeded its bound of ${opt.timeoutSeconds} s`)), opt.timeoutSeconds * 1000).unref();
process.on('SIGINT', () => fatal(new Error('interrupted')));
main().catch(fatal);
