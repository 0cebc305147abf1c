import { describe, expect, it } from 'vitest';
import { HttpRequest, type HttpResponseInit } from '@azure/functions';
import type { TableClient, TransactionAction } from '@azure/data-tables';
import { createInventoryApi } from '../../functions/inventory/api';
import { MAX_DIRECTORY_STORES, packDirectory, unpackDirectory } from '../../functions/inventory/directory';
import { DIRECTORY_PARTITION, DIRECTORY_ROW, LEGACY_STORES_PARTITION, reservationKey } from '../../functions/inventory/rows';
import type { Caller } from '../../shared/auth/policy';
import { withProblems } from '../../shared/http';
import { TABLES } from '../../shared/topology';
import { invocationContext } from '../support/context';
import { testDeps } from '../support/deps';

type Api = ReturnType<typeof createInventoryApi>;
type Listed = { storeId: string; cups: number };

function put(api: Api, storeId: string, cups: number) {
  return api.setStock(new HttpRequest({ method: 'PUT', url: `http://localhost/inventories/${storeId}`, params: { storeId }, body: { string: JSON.stringify({ cups }) }, headers: { 'content-type': 'application/json' } }));
}

async function list(api: Api, path = '/inventories', caller?: Caller): Promise<{ status: number; body: Listed[]; next?: string }> {
  const response: HttpResponseInit = await withProblems((request, context) => api.listStock(request, context, caller))(new HttpRequest({ method: 'GET', url: `http://localhost${path}` }), invocationContext().context);
  const link = (response.headers as Record<string, string> | undefined)?.link;
  return { status: response.status ?? 200, body: JSON.parse(String(response.body)) as Listed[], ...(link ? { next: /^<([^>]+)>; rel="next"$/.exec(link)![1] } : {}) };
}

/** Every page from the first, following the `Link` header. */
async function listAllPages(api: Api, limit: number): Promise<Listed[][]> {
  const pages: Listed[][] = [];
  let path: string | undefined = `/inventories?limit=${limit}`;
  while (path) {
    const page = await list(api, path);
    pages.push(page.body);
    path = page.next;
  }
  return pages;
}

/**
 * The requests a client sends, seen in its HTTP pipeline: a point read names its keys in the path
 * (`table(PartitionKey='…',RowKey='…')`), a query does not (`table()` with a `$filter`).
 */
function recordRequests(client: TableClient): { kind: 'query' | 'point read' | 'write'; path: string }[] {
  const seen: { kind: 'query' | 'point read' | 'write'; path: string }[] = [];
  client.pipeline.addPolicy({
    name: 'record-requests',
    sendRequest: (request, next) => {
      const path = decodeURIComponent(new URL(request.url).pathname);
      seen.push({ kind: request.method !== 'GET' ? 'write' : path.endsWith('()') ? 'query' : 'point read', path });
      return next(request);
    },
  });
  return seen;
}

const staffOf = (...stores: string[]): Caller => ({ id: 'sam', roles: ['staff'], stores, authenticated: true });

describe('GET /inventories through the store directory, against Azurite', () => {
  it('lists every store whose stock was set, by id, each with its stock', async () => {
    const api = createInventoryApi(testDeps());
    for (const [store, cups] of [['north', 4], ['main', 10], ['south', 0]] as const) await put(api, store, cups);
    await put(api, 'main', 12); // a second set lists the store no second time
    const { status, body, next } = await list(api);
    expect(status).toBe(200);
    expect(body.map((s) => [s.storeId, s.cups])).toEqual([['main', 12], ['north', 4], ['south', 0]]);
    expect(next).toBeUndefined();
  });

  it('pages through the stores with ?limit= and the Link header, and refuses a cursor of the old layout', async () => {
    const api = createInventoryApi(testDeps());
    for (const store of ['e', 'a', 'd', 'b', 'c']) await put(api, store, 1);
    const pages = await listAllPages(api, 2);
    expect(pages.map((page) => page.map((s) => s.storeId))).toEqual([['a', 'b'], ['c', 'd'], ['e']]);

    const oldCursor = Buffer.from(JSON.stringify({ nextPartitionKey: LEGACY_STORES_PARTITION, nextRowKey: 'c' })).toString('base64');
    const refused = await list(api, `/inventories?limit=2&cursor=${encodeURIComponent(oldCursor)}`);
    expect(refused.status).toBe(400);
  });

  it('lists every store of concurrent first stock sets, made by separate instances', async () => {
    const deps = testDeps();
    const stores = Array.from({ length: 12 }, (_, i) => `shop-${String(i).padStart(2, '0')}`);
    const answers = await Promise.all(stores.map((store) => put(createInventoryApi(deps), store, 3)));
    expect(answers.map((a) => a.status)).toEqual(stores.map(() => 200));
    expect((await list(createInventoryApi(deps), '/inventories?limit=100')).body.map((s) => s.storeId)).toEqual(stores);
  });

  it('staff of a few stores read their stores by key, without the directory, and see only theirs', async () => {
    const deps = testDeps();
    const api = createInventoryApi(deps);
    for (const store of ['main', 'north', 'south']) await put(api, store, 2);
    const requests = recordRequests(await deps.table(TABLES.inventory));
    const { body } = await list(api, '/inventories', staffOf('south', 'main', 'nowhere'));
    expect(body.map((s) => s.storeId)).toEqual(['main', 'south']);
    expect(requests.map((r) => r.path.split('/').at(-1))).not.toContainEqual(expect.stringContaining(DIRECTORY_PARTITION));
    expect(requests.filter((r) => r.kind !== 'point read')).toEqual([]);
  });

  it('makes the same point reads and no query however many reservations the table holds', async () => {
    const deps = testDeps();
    const api = createInventoryApi(deps);
    const stores = ['main', 'north', 'south'];
    for (const store of stores) await put(api, store, 1_000_000);
    await list(api); // a first read after the upgrade may fill the directory; measure the steady state
    const client = await deps.table(TABLES.inventory);
    const requests = recordRequests(client);
    const measure = async () => {
      requests.length = 0;
      const listed = (await list(api, '/inventories?limit=20')).body.map((s) => s.storeId);
      return { listed, requests: requests.map((r) => `${r.kind} ${r.path.split('/').at(-1)}`).sort() };
    };
    const fresh = await measure();

    // History: 6,000 decided orders in the stores' partitions, written as the reservation consumer does.
    const writes: Promise<unknown>[] = [];
    for (let batch = 0; batch < 60; batch++) {
      const store = stores[batch % stores.length]!;
      const actions: TransactionAction[] = Array.from({ length: 100 }, (_, i) => ['create', { partitionKey: store, rowKey: reservationKey(`h${String(batch * 100 + i).padStart(6, '0')}`), outcome: 'reserved', cups: 1, available: 1_000, decidedAt: '2026-11-01T10:00:00.000Z' }]);
      writes.push(client.submitTransaction(actions));
    }
    await Promise.all(writes);
    requests.length = 0;
    const grown = await measure();

    expect(grown).toEqual(fresh);
    expect(fresh.listed).toEqual(stores);
    expect(fresh.requests.filter((r) => !r.startsWith('point read'))).toEqual([]);
    expect(fresh.requests).toHaveLength(1 + stores.length); // the directory, then each store's stock
  });

  it('holds the most stores it allows, at the longest ids, in one entity Azurite accepts', async () => {
    const deps = testDeps();
    const client = await deps.table(TABLES.inventory);
    const ids = Array.from({ length: MAX_DIRECTORY_STORES }, (_, i) => `store-${String(i).padStart(34, '0')}`);
    await client.createEntity({ partitionKey: DIRECTORY_PARTITION, rowKey: DIRECTORY_ROW, ...packDirectory(ids) });
    expect(unpackDirectory(await client.getEntity(DIRECTORY_PARTITION, DIRECTORY_ROW))).toEqual(ids);
    const api = createInventoryApi(deps);
    await put(api, ids.at(-1)!, 5);
    const lastPage = await list(api, `/inventories?limit=1000&cursor=k_${Buffer.from(ids.at(-2)!).toString('base64url')}`);
    expect(lastPage.body.map((s) => s.storeId)).toEqual([ids.at(-1)]);
    const refused = await put(api, 'one-too-many', 1).catch((error: unknown) => error);
    expect(refused).toMatchObject({ problem: { status: 507 } });
  });
});

describe('upgrading from the ~stores rows of the old layout', () => {
  /** What the old code left: a `~stores` row per store and each store's stock row, no directory. */
  async function oldLayout(client: TableClient, stock: Record<string, number>): Promise<void> {
    for (const [store, cups] of Object.entries(stock)) {
      await client.upsertEntity({ partitionKey: LEGACY_STORES_PARTITION, rowKey: store }, 'Merge');
      await client.createEntity({ partitionKey: store, rowKey: 'stock', cups, updatedAt: '2026-11-20T10:00:00.000Z' });
      await client.createEntity({ partitionKey: store, rowKey: reservationKey('o1'), outcome: 'reserved', cups: 1, available: cups + 1, decidedAt: '2026-11-20T09:00:00.000Z' });
    }
  }

  it('lists the stores the old layout listed, from the first read on', async () => {
    const deps = testDeps();
    const client = await deps.table(TABLES.inventory);
    await oldLayout(client, { main: 7, north: 3 });
    const api = createInventoryApi(deps);
    expect((await list(api)).body.map((s) => [s.storeId, s.cups])).toEqual([['main', 7], ['north', 3]]);
    expect((await list(api)).body.map((s) => s.storeId)).toEqual(['main', 'north']);
    expect(unpackDirectory(await client.getEntity(DIRECTORY_PARTITION, DIRECTORY_ROW))).toEqual(['main', 'north']);
  });

  it('keeps the old stores when the first thing after the upgrade is a new store\'s first stock', async () => {
    const deps = testDeps();
    await oldLayout(await deps.table(TABLES.inventory), { main: 7, north: 3 });
    const api = createInventoryApi(deps);
    await put(api, 'east', 9);
    expect((await list(api)).body.map((s) => s.storeId)).toEqual(['east', 'main', 'north']);
  });

  it('migrates once when several instances find the directory missing at the same time', async () => {
    const deps = testDeps();
    const client = await deps.table(TABLES.inventory);
    await oldLayout(client, { main: 7, north: 3, south: 1 });
    const lists = await Promise.all([1, 2, 3, 4].map(() => list(createInventoryApi(deps))));
    const firstSets = await Promise.all(['east', 'west'].map((store) => put(createInventoryApi(deps), store, 2)));
    for (const listed of lists) expect(listed.body.map((s) => s.storeId)).toEqual(['main', 'north', 'south']);
    expect(firstSets.map((a) => a.status)).toEqual([200, 200]);
    expect(unpackDirectory(await client.getEntity(DIRECTORY_PARTITION, DIRECTORY_ROW))).toEqual(['east', 'main', 'north', 'south', 'west']);
  });
});
