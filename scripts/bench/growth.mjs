// The growth run (`npm run bench -- --growth`): the hot paths on a fresh store and on a grown one, side
// by side. Two hosts run at once, each with an Azurite of its own: the fresh one holds a day of orders,
// the grown one the same day and BENCH_GROWTH_ORDERS (100,000) more finished orders of history, written
// straight into the tables (as the services would have left them, over the past 20 days, 40 stores,
// 5,000 customers). Each request goes to both, one right after the other (which one first alternates),
// so drift in the machine's load touches both sides alike and the ratio is measured in one run. For
// each request type it reports latency and the table round trips and entities read per request,
// counted by a proxy in front of each Azurite (Azurite itself does not show what a scan would cost on
// Table Storage).
//
// The history is written straight into the Azurite (hundreds of thousands of rows through the host's
// storage journal would take the better part of an hour on a small machine); the host reaches it
// through the counting proxy, so the counts are the host's requests only.
// Then, on both stacks alike, the retention timer's reservation step runs until it has nothing left
// to do, as its hourly runs would have over those days: it moves the reservations over a day old out
// of each store's hot partition into the store's archive.
import http from 'node:http';
import { createRequire } from 'node:module';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const HISTORY = Number(process.env.BENCH_GROWTH_ORDERS ?? 100_000);
const ROUNDS = Number(process.env.BENCH_GROWTH_ROUNDS ?? 100);
const STORES = Array.from({ length: 40 }, (_, i) => `grow-${String(i + 1).padStart(2, '0')}`);
const CUSTOMERS = 5_000;
/**
 * The fresh store is not an empty one: 1,000 orders of one day over the same 40 stores and 50 customers,
 * so every page, the board and a customer's notifications are full there too, and fresh and grown
 * answer the same number of entities. The ratio then prices the history alone, not a fuller answer.
 */
const FRESH_ORDERS = 1_000;
const FRESH_CUSTOMERS = 50;
/**
 * The history pages: a customer's or a store's past, page by page (`limit`, `cursor`). Every other
 * request is a hot path, made for every order or by every screen's poll: those are read by point or
 * by one bounded key range.
 */
const HISTORY_PAGES = new Set(['GET /notifications?customerId=', 'GET /notifications (all, page)', 'GET /orders?storeId= (page)']);

/** Order `[a, b]` on even rounds and `[b, a]` on odd ones. */
const alternate = (round, a, b) => (round % 2 === 0 ? [a, b] : [b, a]);

/** Counts the host's table round trips and the entities read answers carry, per table. */
async function countingProxy(targetPort) {
  const counts = { byTable: {}, entitiesByTable: {} };
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      let table = /^\/[^/]+\/([^/(?]+)/.exec(req.url ?? '')?.[1] ?? 'other';
      if (table === '$batch') table = /\n(?:POST|PUT|MERGE|PATCH|DELETE) https?:\/\/[^/]+\/[^/]+\/([^/(?\s]+)/.exec(body.toString('latin1'))?.[1] ?? table;
      counts.byTable[table] = (counts.byTable[table] ?? 0) + 1;
      const upstream = http.request({ host: '127.0.0.1', port: targetPort, method: req.method, path: req.url, headers: req.headers, agent }, (answer) => {
        const parts = [];
        answer.on('data', (c) => parts.push(c));
        answer.on('end', () => {
          const bytes = Buffer.concat(parts);
          if (req.method === 'GET' && answer.statusCode === 200) {
            try {
              const parsed = JSON.parse(bytes.toString('utf8'));
              counts.entitiesByTable[table] = (counts.entitiesByTable[table] ?? 0) + (Array.isArray(parsed.value) ? parsed.value.length : 1);
            } catch {
              // not a table answer
            }
          }
          const headers = { ...answer.headers };
          delete headers['transfer-encoding'];
          headers['content-length'] = String(bytes.length);
          res.writeHead(answer.statusCode ?? 502, headers);
          res.end(bytes);
        });
      });
      upstream.on('error', () => {
        res.writeHead(502);
        res.end();
      });
      upstream.end(body);
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: server.address().port, counts, close: () => new Promise((resolve) => { server.close(resolve); server.closeAllConnections(); agent.destroy(); }) };
}

export async function runGrowth({ root, startHost, startAzurite, Logger, json, sleep, pcts, fmt }) {
  const require = createRequire(import.meta.url);
  const { newOrderId, orderBucket, keyFor } = require(path.join(root, 'dist/shared/identifiers.js'));
  const { boardAt, toBoardRow } = require(path.join(root, 'dist/functions/kiosk/rows.js'));
  const { BOARD_SIZE } = require(path.join(root, 'dist/functions/kiosk/board.js'));
  const { tidyReservations } = require(path.join(root, 'dist/functions/inventory/retention.js'));
  const { MOVES_WAIT_HOURS } = require(path.join(root, 'dist/functions/inventory/archive.js'));
  const { RESERVATION_PREFIX, RESERVATIONS_END } = require(path.join(root, 'dist/functions/inventory/rows.js'));
  const { TABLES } = require(path.join(root, 'dist/shared/topology.js'));
  const { TableClient } = require('@azure/data-tables');
  const dataDir = mkdtempSync(path.join(tmpdir(), 'cafe-bench-growth-'));
  const stacks = [];

  /** A host with an Azurite of its own behind a counting proxy. */
  async function stack(name) {
    const dir = path.join(dataDir, name);
    const azurite = await startAzurite(root, path.join(dir, 'azurite'), new Logger('error'));
    const s = { name, azurite };
    stacks.push(s);
    const azuritePort = Number(/TableEndpoint=http:\/\/127\.0\.0\.1:(\d+)/.exec(azurite.connectionString)[1]);
    s.proxy = await countingProxy(azuritePort);
    const proxied = azurite.connectionString.replace(`127.0.0.1:${azuritePort}`, `127.0.0.1:${s.proxy.port}`);
    Object.assign(s, await startHost(dir, true, 0, { TablesConnection: proxied }));
    s.client = (table) => TableClient.fromConnectionString(azurite.connectionString, table, { allowInsecureConnection: true });
    for (const store of STORES) await json(s.base, 'PUT', `/inventories/${store}`, { cups: 1_000_000 });
    return s;
  }

  try {
    console.log(`growth run: the hot paths on a fresh store (${FRESH_ORDERS} orders of history) and, side by side, on one with ${HISTORY} more...`);
    const [freshStack, grownStack] = [await stack('fresh'), await stack('grown')];
    const started = Date.now();
    await seed(freshStack, FRESH_ORDERS, FRESH_CUSTOMERS, 1, started);
    const seeded = await seed(grownStack, HISTORY, CUSTOMERS, 20, started - 86_400_000, FRESH_ORDERS, FRESH_CUSTOMERS);
    const tidied = await Promise.all([freshStack, grownStack].map((s) => tidy(s, started)));

    // Live orders to ask about: placed and finished before the measurement.
    async function liveOrders(s, n) {
      const ids = [];
      for (let i = 0; i < n; i++) {
        const r = await json(s.base, 'POST', '/orders', { storeId: STORES[i % STORES.length], customerId: `live-${i}`, items: [{ menuItemId: 'americano', quantity: 1 }] });
        ids.push({ id: r.body.id, customerId: `live-${i}`, storeId: STORES[i % STORES.length] });
      }
      for (const o of ids) {
        for (let k = 0; k < 200 && (await json(s.base, 'GET', `/orders/${o.id}`)).body.status !== 'completed'; k++) await sleep(50);
      }
      return ids;
    }
    const live = new Map([[freshStack, await liveOrders(freshStack, 10)], [grownStack, await liveOrders(grownStack, 10)]]);

    const requests = {
      'POST /orders': (s, i) => ['POST', '/orders', { storeId: STORES[i % STORES.length], customerId: `m-${s.name}-${i}`, items: [{ menuItemId: 'americano', quantity: 1 }] }],
      'GET /orders/{id}': (s, i) => ['GET', `/orders/${live.get(s)[i % 10].id}`],
      'GET /kiosk/orders/{id}': (s, i) => ['GET', `/kiosk/orders/${live.get(s)[i % 10].id}`],
      'GET /kiosk/orders?storeId=': (s, i) => ['GET', `/kiosk/orders?storeId=${STORES[i % STORES.length]}`],
      'GET /stores/{id}/orders (staff)': (s, i) => ['GET', `/stores/${STORES[i % STORES.length]}/orders?limit=50`],
      'GET /notifications?orderId=': (s, i) => ['GET', `/notifications?orderId=${live.get(s)[i % 10].id}`],
      'GET /notifications?customerId=': (s, i) => ['GET', `/notifications?customerId=c-${i % FRESH_CUSTOMERS}&limit=20`],
      'GET /notifications (all, page)': () => ['GET', '/notifications?limit=20'],
      'GET /inventories': () => ['GET', '/inventories?limit=20'],
      'GET /orders?storeId= (page)': (s, i) => ['GET', `/orders?storeId=${STORES[i % STORES.length]}&limit=20`],
      'GET /beverages?orderId=': (s, i) => ['GET', `/beverages?orderId=${live.get(s)[i % 10].id}`],
    };
    const results = new Map([freshStack, grownStack].map((s) => [s, Object.fromEntries(Object.keys(requests).map((k) => [k, { ms: [], samples: [] }]))]));

    /** One request on one stack, counted with its consumers idle, so the proxy's counts are the request's own (timers aside). */
    async function sample(s, name, round) {
      const [method, route, body] = requests[name](s, round);
      for (let k = 0; k < 100 && (await json(s.base, 'GET', '/_eventhubs')).body.some((c) => c.pending > 0); k++) await sleep(20);
      const before = structuredClone(s.proxy.counts);
      const t = performance.now();
      const r = await json(s.base, method, route, body);
      const ms = performance.now() - t;
      if (r.status >= 400) throw new Error(`${s.name}: ${method} ${route} answered ${r.status}`);
      const after = s.proxy.counts;
      const trips = Object.entries(after.byTable).reduce((n, [t2, c]) => n + c - (before.byTable[t2] ?? 0), 0);
      const entities = Object.entries(after.entitiesByTable).reduce((n, [t2, c]) => n + c - (before.entitiesByTable[t2] ?? 0), 0);
      const out = results.get(s)[name];
      out.ms.push(ms);
      out.samples.push({ trips, entities });
    }
    for (let round = 0; round < ROUNDS; round++) {
      for (const name of Object.keys(requests)) for (const s of alternate(round, freshStack, grownStack)) await sample(s, name, round);
    }
    const summary = (s) =>
      Object.fromEntries(
        Object.entries(results.get(s)).map(([name, r]) => {
          // A timer run (the brew or order sweep) may fall into a sample: the median is the request's own cost.
          const sorted = [...r.samples].sort((a, b) => a.trips - b.trips || a.entities - b.entities);
          const own = sorted[Math.floor(sorted.length / 2)];
          return [name, { latency: pcts(r.ms), roundTrips: own.trips, entities: own.entities, maxEntities: Math.max(...r.samples.map((x) => x.entities)) }];
        }),
      );
    const fresh = summary(freshStack);
    const grown = summary(grownStack);
    const rows = Object.keys(fresh).map((name) => ({ name, fresh: fresh[name], grown: grown[name], ratio: grown[name].latency.p50 / fresh[name].latency.p50 }));
    return {
      result: { historyPages: [...HISTORY_PAGES], sideBySide: true, freshOrders: FRESH_ORDERS, historyOrders: HISTORY, seededRows: seeded.rows, seedSeconds: seeded.seconds, archivedReservations: { fresh: tidied[0].archived, grown: tidied[1].archived }, hotReservationsPerStore: { fresh: tidied[0].hotPerStore, grown: tidied[1].hotPerStore }, rounds: ROUNDS, requests: rows },
      print() {
        console.log(`\n  growth: fresh = ${FRESH_ORDERS} orders of history, grown = ${HISTORY} more (${seeded.rows} rows written in ${fmt(seeded.seconds, 0)} s; the timer then moved ${tidied[1].archived} reservations over a day old to the archive there, ${tidied[0].archived} on the fresh one, leaving ${fmt(tidied[1].hotPerStore, 0)} and ${fmt(tidied[0].hotPerStore, 0)} a store in the hot partitions); two hosts side by side, ${ROUNDS} requests of each kind to each, interleaved; * a history page`);
        console.log(`  ${'request'.padEnd(32)} ${'fresh p50'.padStart(9)} ${'grown p50'.padStart(9)} ${'ratio'.padStart(6)} ${'trips'.padStart(6)} ${'entities fresh/grown'.padStart(21)}`);
        for (const r of rows) {
          console.log(
            `  ${`${r.name}${HISTORY_PAGES.has(r.name) ? ' *' : ''}`.padEnd(32)} ${fmt(r.fresh.latency.p50).padStart(9)} ${fmt(r.grown.latency.p50).padStart(9)} ${fmt(r.ratio, 2).padStart(6)} ${String(r.grown.roundTrips).padStart(6)} ${`${r.fresh.entities} / ${r.grown.entities} (max ${r.grown.maxEntities})`.padStart(21)}`,
          );
        }
      },
    };

    /**
     * The timer's reservation step, run to the end on one stack (the default RETENTION_DAYS): a first run
     * (writing each store's archive mark) longer than MOVES_WAIT_HOURS before, then runs until none has
     * anything left to do. How many rows it moved.
     */
    async function tidy(s, at) {
      await tidyReservations(s.client(TABLES.inventory), { now: new Date(at - (MOVES_WAIT_HOURS + 1) * 3_600_000), retentionDays: 30 });
      let archived = 0;
      for (;;) {
        const done = await tidyReservations(s.client(TABLES.inventory), { now: new Date(at), retentionDays: 30 });
        archived += done.archived;
        if (done.archived + done.deleted === 0) break;
      }
      // What the stock reads now share a partition with: the reservations left in the stores' hot partitions.
      let hot = 0;
      const inventory = s.client(TABLES.inventory);
      for (const store of STORES) {
        const filter = `PartitionKey eq '${store}' and RowKey ge '${RESERVATION_PREFIX}' and RowKey lt '${RESERVATIONS_END}'`;
        for await (const page of inventory.listEntities({ queryOptions: { filter, select: ['RowKey'] } }).byPage({ maxPageSize: 1000 })) hot += page.length;
      }
      return { archived, hotPerStore: hot / STORES.length };
    }

    /**
     * Writes `n` finished orders as the services leave them (one transaction per partition and 100 rows)
     * over the `days` before `until`; with `keep` > 0 the same `keep` orders (of `keptCustomers`) the
     * fresh store holds are written too, newest, so the grown store is the fresh one plus history.
     */
    async function seed(s, n, customers, days, until, keep = 0, keptCustomers = 1) {
      const begun = Date.now();
      const tables = { orders: new Map(), kiosk: new Map(), notifications: new Map(), inventory: new Map() };
      const add = (table, entity) => {
        const list = tables[table].get(entity.partitionKey) ?? [];
        list.push(entity);
        tables[table].set(entity.partitionKey, list);
      };
      const items = [{ menuItemId: 'americano', quantity: 1 }];
      // Each store's board as the kiosk projection leaves it: one entity, its 100 newest orders (ids sort newest first).
      const boards = new Map();
      const write = (i, count, cust, from, span) => {
        const at = new Date(from + Math.floor((i / count) * span));
        const id = newOrderId(at);
        const storeId = STORES[i % STORES.length];
        const customerId = `c-${i % cust}`;
        const createdAt = at.toISOString();
        const updatedAt = new Date(at.getTime() + 2000).toISOString();
        const bucket = orderBucket(id);
        add('orders', { partitionKey: bucket, rowKey: id, storeId, customerId, items: JSON.stringify(items), cups: 1, status: 'completed', createdAt, updatedAt });
        const view = { storeId, customerId, items: JSON.stringify(items), cups: 1, status: 'completed', createdAt, updatedAt };
        add('kiosk', { partitionKey: bucket, rowKey: `o_${id}`, ...view });
        const tiles = boards.get(storeId) ?? [];
        tiles.push({ orderId: id, status: 'completed', updatedAt, createdAt, items });
        boards.set(storeId, tiles);
        const note = { customerId, orderId: id, storeId, kind: 'order-completed', message: 'ready', messageKo: 'ready', createdAt: updatedAt };
        add('notifications', { partitionKey: `~${bucket}`, rowKey: `${id}_order-completed`, ...note });
        add('notifications', { partitionKey: keyFor(customerId), rowKey: `${id}_order-completed`, ...note });
        add('inventory', { partitionKey: storeId, rowKey: `res_${id}`, outcome: 'reserved', cups: 1, available: 1_000_000, decidedAt: createdAt });
      };
      const span = days * 86_400_000;
      for (let i = 0; i < n; i++) write(i, n, customers, until - span, span);
      // The fresh store's day, the same orders as there (ids are random, so not the same ids).
      for (let i = 0; i < keep; i++) write(i, keep, keptCustomers, until, 86_400_000);
      for (const [storeId, tiles] of boards) {
        const newest = tiles.sort((a, b) => (a.orderId < b.orderId ? -1 : 1)).slice(0, BOARD_SIZE);
        add('kiosk', { ...boardAt(storeId), ...toBoardRow(storeId, newest) });
      }
      let rows = 0;
      const jobs = [];
      for (const [table, partitions] of Object.entries(tables)) {
        const c = s.client(table);
        // The seed may come before the host first touched a table.
        await c.createTable();
        for (const list of partitions.values()) {
          for (let k = 0; k < list.length; k += 100) jobs.push(() => c.submitTransaction(list.slice(k, k + 100).map((e) => ['upsert', e, 'Replace'])));
          rows += list.length;
        }
      }
      let next = 0;
      await Promise.all(Array.from({ length: 8 }, async () => {
        while (next < jobs.length) await jobs[next++]();
      }));
      return { rows, seconds: (Date.now() - begun) / 1000 };
    }
  } finally {
    for (const s of stacks) {
      if (s.host && s.host.exitCode === null) {
        s.host.kill('SIGTERM');
        await new Promise((r) => s.host.once('exit', r));
      }
      await s.proxy?.close();
      await s.azurite.stop().catch(() => undefined);
    }
    rmSync(dataDir, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
  }
}
