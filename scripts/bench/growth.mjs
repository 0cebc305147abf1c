// The growth run (`npm run bench -- --growth`): the hot paths on a fresh store, then again after
// BENCH_GROWTH_ORDERS (100,000) finished orders of history were written straight into the tables (as the
// services would have left them, over the past 20 days, 40 stores, 5,000 customers). For each request
// type it reports latency and the table round trips and entities read per request, counted by the host's
// storage proxy (Azurite itself does not show what a scan would cost on Table Storage).
//
// The history is written straight into an Azurite of the bench's own (hundreds of thousands of rows
// through the host's storage journal would take the better part of an hour on a small machine); the
// host uses it through a small counting proxy here, so the counts are the host's requests only.
import http from 'node:http';
import { createRequire } from 'node:module';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const HISTORY = Number(process.env.BENCH_GROWTH_ORDERS ?? 100_000);
const ROUNDS = Number(process.env.BENCH_GROWTH_ROUNDS ?? 40);
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
  const { TableClient } = require('@azure/data-tables');
  const dataDir = mkdtempSync(path.join(tmpdir(), 'cafe-bench-growth-'));
  const azurite = await startAzurite(root, path.join(dataDir, 'azurite'), new Logger('error'));
  const azuritePort = Number(/TableEndpoint=http:\/\/127\.0\.0\.1:(\d+)/.exec(azurite.connectionString)[1]);
  const proxy = await countingProxy(azuritePort);
  const proxied = azurite.connectionString.replace(`127.0.0.1:${azuritePort}`, `127.0.0.1:${proxy.port}`);
  const { host, base } = await startHost(dataDir, true, 0, { TablesConnection: proxied });
  try {
    console.log(`growth run: hot paths on a fresh store (${FRESH_ORDERS} orders of history), then with ${HISTORY} more...`);
    for (const store of STORES) await json(base, 'PUT', `/inventories/${store}`, { cups: 1_000_000 });
    const client = (table) => TableClient.fromConnectionString(azurite.connectionString, table, { allowInsecureConnection: true });

    // Live orders to ask about: placed and finished before each measurement.
    async function liveOrders(n) {
      const ids = [];
      for (let i = 0; i < n; i++) {
        const r = await json(base, 'POST', '/orders', { storeId: STORES[i % STORES.length], customerId: `live-${i}`, items: [{ menuItemId: 'americano', quantity: 1 }] });
        ids.push({ id: r.body.id, customerId: `live-${i}`, storeId: STORES[i % STORES.length] });
      }
      for (const o of ids) {
        for (let k = 0; k < 200 && (await json(base, 'GET', `/orders/${o.id}`)).body.status !== 'completed'; k++) await sleep(50);
      }
      return ids;
    }

    async function measure(label) {
      const live = await liveOrders(10);
      const requests = {
        'POST /orders': (i) => ['POST', '/orders', { storeId: STORES[i % STORES.length], customerId: `m-${label}-${i}`, items: [{ menuItemId: 'americano', quantity: 1 }] }],
        'GET /orders/{id}': (i) => ['GET', `/orders/${live[i % live.length].id}`],
        'GET /kiosk/orders/{id}': (i) => ['GET', `/kiosk/orders/${live[i % live.length].id}`],
        'GET /kiosk/orders?storeId=': (i) => ['GET', `/kiosk/orders?storeId=${STORES[i % STORES.length]}`],
        'GET /notifications?orderId=': (i) => ['GET', `/notifications?orderId=${live[i % live.length].id}`],
        'GET /notifications?customerId=': (i) => ['GET', `/notifications?customerId=c-${i % FRESH_CUSTOMERS}&limit=20`],
        'GET /notifications (all, page)': () => ['GET', '/notifications?limit=20'],
        'GET /inventories': () => ['GET', '/inventories?limit=20'],
        'GET /orders?storeId= (page)': (i) => ['GET', `/orders?storeId=${STORES[i % STORES.length]}&limit=20`],
        'GET /beverages?orderId=': (i) => ['GET', `/beverages?orderId=${live[i % live.length].id}`],
      };
      const results = Object.fromEntries(Object.keys(requests).map((k) => [k, { ms: [], trips: 0, entities: 0 }]));
      // Interleaved rounds, so drift in the machine's load touches every request type alike.
      for (let round = 0; round < ROUNDS; round++) {
        for (const [name, make] of Object.entries(requests)) {
          const [method, route, body] = make(round);
          // Counted with the consumers idle, so the proxy's counts are the request's own (timers aside).
          for (let k = 0; k < 100 && (await json(base, 'GET', '/_eventhubs')).body.some((c) => c.pending > 0); k++) await sleep(20);
          const before = structuredClone(proxy.counts);
          const t = performance.now();
          const r = await json(base, method, route, body);
          const ms = performance.now() - t;
          const after = proxy.counts;
          if (r.status >= 400) throw new Error(`${method} ${route} answered ${r.status}`);
          results[name].ms.push(ms);
          const trips = Object.entries(after.byTable).reduce((s, [t2, n]) => s + n - (before.byTable[t2] ?? 0), 0);
          const entities = Object.entries(after.entitiesByTable).reduce((s, [t2, n]) => s + n - (before.entitiesByTable[t2] ?? 0), 0);
          results[name].samples ??= [];
          results[name].samples.push({ trips, entities });
        }
      }
      return Object.fromEntries(
        Object.entries(results).map(([name, r]) => {
          // A timer run (the brew or order sweep) may fall into a sample: the median is the request's own cost.
          const sorted = [...r.samples].sort((a, b) => a.trips - b.trips || a.entities - b.entities);
          const own = sorted[Math.floor(sorted.length / 2)];
          return [name, { latency: pcts(r.ms), roundTrips: own.trips, entities: own.entities, maxEntities: Math.max(...r.samples.map((s) => s.entities)) }];
        }),
      );
    }

    await seed(FRESH_ORDERS, FRESH_CUSTOMERS, 1);
    const fresh = await measure('fresh');
    const seeded = await seed(HISTORY, CUSTOMERS, 20);
    const grown = await measure('grown');
    const rows = Object.keys(fresh).map((name) => ({ name, fresh: fresh[name], grown: grown[name], ratio: grown[name].latency.p50 / fresh[name].latency.p50 }));
    return {
      result: { historyPages: [...HISTORY_PAGES], freshOrders: FRESH_ORDERS, historyOrders: HISTORY, seededRows: seeded.rows, seedSeconds: seeded.seconds, rounds: ROUNDS, requests: rows },
      print() {
        console.log(`\n  growth: fresh = ${FRESH_ORDERS} orders of history, grown = ${HISTORY} more (${seeded.rows} rows written in ${fmt(seeded.seconds, 0)} s); ${ROUNDS} requests of each kind, interleaved; * a history page`);
        console.log(`  ${'request'.padEnd(32)} ${'fresh p50'.padStart(9)} ${'grown p50'.padStart(9)} ${'ratio'.padStart(6)} ${'trips'.padStart(6)} ${'entities fresh/grown'.padStart(21)}`);
        for (const r of rows) {
          console.log(
            `  ${`${r.name}${HISTORY_PAGES.has(r.name) ? ' *' : ''}`.padEnd(32)} ${fmt(r.fresh.latency.p50).padStart(9)} ${fmt(r.grown.latency.p50).padStart(9)} ${fmt(r.ratio, 2).padStart(6)} ${String(r.grown.roundTrips).padStart(6)} ${`${r.fresh.entities} / ${r.grown.entities} (max ${r.grown.maxEntities})`.padStart(21)}`,
          );
        }
      },
    };

    /** Writes finished orders as the services leave them: one transaction per partition and 100 rows. */
    async function seed(n, customers, days) {
      const started = Date.now();
      const now = Date.now();
      const span = days * 86_400_000;
      const tables = { orders: new Map(), kiosk: new Map(), notifications: new Map(), inventory: new Map() };
      const add = (table, entity) => {
        const list = tables[table].get(entity.partitionKey) ?? [];
        list.push(entity);
        tables[table].set(entity.partitionKey, list);
      };
      const items = JSON.stringify([{ menuItemId: 'americano', quantity: 1 }]);
      // Each store's board as the kiosk projection leaves it: one entity, its 100 newest orders (ids sort newest first).
      const boards = new Map();
      for (let i = 0; i < n; i++) {
        const at = new Date(now - span + Math.floor((i / n) * span));
        const id = newOrderId(at);
        const storeId = STORES[i % STORES.length];
        const customerId = `c-${i % customers}`;
        const createdAt = at.toISOString();
        const updatedAt = new Date(at.getTime() + 2000).toISOString();
        const bucket = orderBucket(id);
        add('orders', { partitionKey: bucket, rowKey: id, storeId, customerId, items, cups: 1, status: 'completed', createdAt, updatedAt });
        const view = { storeId, customerId, items, cups: 1, status: 'completed', createdAt, updatedAt };
        add('kiosk', { partitionKey: bucket, rowKey: `o_${id}`, ...view });
        const tiles = boards.get(storeId) ?? [];
        tiles.push({ orderId: id, status: 'completed', updatedAt });
        boards.set(storeId, tiles);
        const note = { customerId, orderId: id, storeId, kind: 'order-completed', message: 'ready', messageKo: 'ready', createdAt: updatedAt };
        add('notifications', { partitionKey: `~${bucket}`, rowKey: `${id}_order-completed`, ...note });
        add('notifications', { partitionKey: keyFor(customerId), rowKey: `${id}_order-completed`, ...note });
        add('inventory', { partitionKey: storeId, rowKey: `res_${id}`, outcome: 'reserved', cups: 1, available: 1_000_000, decidedAt: createdAt });
      }
      for (const [storeId, tiles] of boards) {
        const newest = tiles.sort((a, b) => (a.orderId < b.orderId ? -1 : 1)).slice(0, BOARD_SIZE);
        add('kiosk', { ...boardAt(storeId), ...toBoardRow(storeId, newest) });
      }
      let rows = 0;
      const jobs = [];
      for (const [table, partitions] of Object.entries(tables)) {
        const c = client(table);
        // The fresh seed may come before the host first touched a table.
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
      return { rows, seconds: (Date.now() - started) / 1000 };
    }
  } finally {
    if (host.exitCode === null) {
      host.kill('SIGTERM');
      await new Promise((r) => host.once('exit', r));
    }
    await proxy.close();
    await azurite.stop().catch(() => undefined);
    rmSync(dataDir, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
  }
}
