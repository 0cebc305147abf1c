import type { TableClient } from '@azure/data-tables';
import { HttpRequest, type HttpResponseInit } from '@azure/functions';
import { describe, expect, it } from 'vitest';
import { createOrdersApi } from '../../functions/orders/api';
import { orderAt } from '../../functions/orders/rows';
import { DEFAULTS_ETAG, createStoresApi } from '../../functions/stores/api';
import { withProblems } from '../../shared/http';
import { createStoreSettingsReader } from '../../shared/storeSettings';
import { TABLES } from '../../shared/topology';
import { invocationContext } from '../support/context';
import { testDeps } from '../support/deps';

/** The stores service and intake on one real Azurite, sharing one settings reader as one process does. */
function cafe() {
  const deps = testDeps();
  let storeReads = 0;
  const reader = createStoreSettingsReader(async () => {
    storeReads++;
    return deps.table(TABLES.stores);
  });
  const stores = createStoresApi(deps, reader);
  const orders = createOrdersApi(deps, { storeSettings: reader });
  const call = (handler: (request: HttpRequest, context: ReturnType<typeof invocationContext>['context']) => Promise<HttpResponseInit>, request: HttpRequest) =>
    withProblems(handler)(request, invocationContext().context).then((response) => ({
      status: response.status ?? 200,
      headers: response.headers as Record<string, string>,
      body: response.body ? JSON.parse(String(response.body)) : undefined,
    }));
  return {
    deps,
    storeReads: () => storeReads,
    get: (storeId: string, headers: Record<string, string> = {}) => call(stores.getStore, new HttpRequest({ method: 'GET', url: `http://localhost/stores/${storeId}`, params: { storeId }, headers })),
    patch: (storeId: string, body: unknown, headers: Record<string, string> = {}) =>
      call(
        stores.patchStore,
        new HttpRequest({
          method: 'PATCH',
          url: `http://localhost/stores/${storeId}`,
          params: { storeId },
          body: { string: typeof body === 'string' ? body : JSON.stringify(body) },
          headers: { 'content-type': 'application/merge-patch+json', ...headers },
        }),
      ),
    order: (body: unknown, headers: Record<string, string> = {}) =>
      call(orders.placeOrder, new HttpRequest({ method: 'POST', url: 'http://localhost/orders', body: { string: JSON.stringify(body) }, headers: { 'content-type': 'application/json', ...headers } })),
  };
}

async function rowsOf(client: TableClient) {
  const rows: unknown[] = [];
  for await (const row of client.listEntities()) rows.push(row);
  return rows;
}

const americano = (customerId: string, storeId = 'main') => ({ storeId, customerId, items: [{ menuItemId: 'americano', quantity: 1 }] });

describe('store settings against Azurite', () => {
  it('answers every default for a store never configured, with a tag for them', async () => {
    const c = cafe();
    const answer = await c.get('fresh');
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ storeId: 'fresh', open: true, machines: null, maxOrdersInFlight: null, maxOpenOrdersPerCustomer: null, lowStockCups: null, unavailable: [], brewSeconds: {}, timeZone: 'UTC' });
    expect(answer.headers.etag).toBe(DEFAULTS_ETAG);
    expect((await c.get('fresh', { 'if-none-match': DEFAULTS_ETAG })).status).toBe(304);
  });

  it('merges a patch into the stored settings and resets a field sent as null', async () => {
    const c = cafe();
    const first = await c.patch('main', { open: false, machines: 2, brewSeconds: { americano: 40, 'iced-tea': 20 } });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ storeId: 'main', open: false, machines: 2, brewSeconds: { americano: 40, 'iced-tea': 20 }, updatedAt: expect.any(String) });
    const second = await c.patch('main', { machines: null, brewSeconds: { americano: 30, 'iced-tea': null } }, { 'content-type': 'application/json' });
    expect(second.body).toMatchObject({ open: false, machines: null, brewSeconds: { americano: 30 } });
    expect(second.headers.etag).not.toBe(first.headers.etag);
    const read = await c.get('main');
    expect(read.body).toEqual(second.body);
    expect(read.headers.etag).toBe(second.headers.etag);
  });

  it.each([
    ['an unknown field', { open: false, colour: 'blue' }, 400],
    ['an invalid value', { open: false, maxOrdersInFlight: 0 }, 400],
    ['an unknown drink', { open: false, brewSeconds: { espresso: 10 } }, 400],
    ['malformed JSON', '{"open": fal', 400],
  ])('refuses %s with a problem and writes nothing', async (_what, body, status) => {
    const c = cafe();
    const answer = await c.patch('main', body);
    expect(answer.status).toBe(status);
    expect(answer.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(await rowsOf(await c.deps.table(TABLES.stores))).toEqual([]);
  });

  it('refuses a body that is not a merge patch (415) and writes nothing', async () => {
    const c = cafe();
    const answer = await c.patch('main', { open: false }, { 'content-type': 'application/json-patch+json' });
    expect(answer.status).toBe(415);
    expect(answer.headers['accept-patch']).toContain('application/merge-patch+json');
    expect(await rowsOf(await c.deps.table(TABLES.stores))).toEqual([]);
  });

  it('honours If-Match: the tag read lets the patch through once, a stale one is 412 and writes nothing', async () => {
    const c = cafe();
    const read = await c.get('main');
    const first = await c.patch('main', { machines: 3 }, { 'if-match': read.headers.etag! });
    expect(first.status).toBe(200);
    const stale = await c.patch('main', { machines: 5 }, { 'if-match': read.headers.etag! });
    expect(stale.status).toBe(412);
    expect((await c.get('main')).body).toMatchObject({ machines: 3 });
    expect((await c.patch('main', { machines: 4 }, { 'if-match': '*' })).status).toBe(200);
  });

  it('keeps every field of patches made at once (each re-decided on the row the others wrote)', async () => {
    const c = cafe();
    const patches = [{ open: false }, { machines: 2 }, { maxOrdersInFlight: 8 }, { maxOpenOrdersPerCustomer: 2 }, { lowStockCups: 4 }, { timeZone: 'Asia/Seoul' }, { brewSeconds: { americano: 30 } }, { brewSeconds: { 'iced-tea': 15 } }];
    const answers = await Promise.all(patches.map((patch) => c.patch('busy', patch)));
    expect(answers.map((a) => a.status)).toEqual(patches.map(() => 200));
    expect((await c.get('busy')).body).toMatchObject({
      open: false,
      machines: 2,
      maxOrdersInFlight: 8,
      maxOpenOrdersPerCustomer: 2,
      lowStockCups: 4,
      timeZone: 'Asia/Seoul',
      brewSeconds: { americano: 30, 'iced-tea': 15 },
    });
  });
});

describe('intake gated by the store settings against Azurite', () => {
  it('refuses orders while the store is closed, writing nothing, and takes them again once it reopens', async () => {
    const c = cafe();
    await c.patch('main', { open: false });
    const refused = await c.order(americano('c-1'), { 'idempotency-key': 'closed-1' });
    expect(refused.status).toBe(409);
    expect(refused.body.type).toMatch(/\/store-closed$/);
    expect(await rowsOf(await c.deps.table(TABLES.orders))).toEqual([]);
    expect(c.deps.publisher.published).toEqual([]);

    await c.patch('main', { open: null });
    const taken = await c.order(americano('c-1'), { 'idempotency-key': 'closed-1' });
    expect(taken.status).toBe(202);
  });

  it('refuses an order with a sold-out drink and names it', async () => {
    const c = cafe();
    await c.patch('main', { unavailable: ['iced-tea'] });
    const refused = await c.order({ customerId: 'c-1', items: [{ menuItemId: 'americano', quantity: 1 }, { menuItemId: 'iced-tea', quantity: 1 }] });
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ type: expect.stringMatching(/\/item-unavailable$/), detail: expect.stringContaining('Iced Tea') });
    expect((await c.order(americano('c-1'))).status).toBe(202);
  });

  it('refuses past the store’s cap of orders in flight with Retry-After, and takes orders once one is final', async () => {
    const c = cafe();
    await c.patch('main', { maxOrdersInFlight: 2, brewSeconds: { americano: 20 } });
    expect((await c.order(americano('c-1'))).status).toBe(202);
    const second = await c.order(americano('c-2'));
    expect(second.status).toBe(202);
    expect((await c.order(americano('c-9', 'other'))).status).toBe(202); // another store's orders do not count
    const busy = await c.order(americano('c-3'));
    expect(busy.status).toBe(429);
    expect(busy.body.type).toMatch(/\/store-busy$/);
    expect(busy.headers['retry-after']).toBe('20');
    expect(c.deps.publisher.ofType('OrderPlaced')).toHaveLength(3);

    // The order consumer deletes an order's open row once it is final.
    await (await c.deps.table(TABLES.orders)).deleteEntity('~open', second.body.id);
    expect((await c.order(americano('c-3'))).status).toBe(202);
  });

  it('refuses a customer past their own cap while others still order', async () => {
    const c = cafe();
    await c.patch('main', { maxOpenOrdersPerCustomer: 1 });
    expect((await c.order(americano('c-1'))).status).toBe(202);
    const again = await c.order(americano('c-1'));
    expect(again.status).toBe(429);
    expect(again.body).toMatchObject({ type: expect.stringMatching(/\/store-busy$/), title: 'Too many open orders' });
    expect(Number(again.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect((await c.order(americano('c-2'))).status).toBe(202);
  });

  it('answers a repeated Idempotency-Key with the order taken before the store closed or filled up', async () => {
    const c = cafe();
    await c.patch('main', { maxOpenOrdersPerCustomer: 1 });
    const first = await c.order(americano('c-1'), { 'idempotency-key': 'tap-1' });
    expect(first.status).toBe(202);
    // Its own order is the customer's one open order: the repeat is not refused for it.
    expect(await c.order(americano('c-1'), { 'idempotency-key': 'tap-1' })).toMatchObject({ status: 202, body: { id: first.body.id } });
    await c.patch('main', { open: false });
    expect(await c.order(americano('c-1'), { 'idempotency-key': 'tap-1' })).toMatchObject({ status: 202, body: { id: first.body.id } });
    // A new key is a new order: refused.
    expect((await c.order(americano('c-1'), { 'idempotency-key': 'tap-2' })).status).toBe(409);
    expect(c.deps.publisher.ofType('OrderPlaced')).toHaveLength(1);
  });

  it('finishes a keyed order whose first request died before the order row, though the store would refuse a new one', async () => {
    const c = cafe();
    await c.patch('main', { maxOpenOrdersPerCustomer: 1 });
    const first = await c.order(americano('c-9'), { 'idempotency-key': 'tap-9' });
    expect(first.status).toBe(202);
    // As if the first request had died after its key and open rows but before the order row.
    const orders = await c.deps.table(TABLES.orders);
    await orders.deleteEntity(orderAt(first.body.id).partitionKey, orderAt(first.body.id).rowKey);
    await c.patch('main', { open: false });
    // The retry was admitted with the first request (its own open row fills the cap, the store has closed
    // since): it completes that order instead of being refused while the sweep would place it anyway.
    const retry = await c.order(americano('c-9'), { 'idempotency-key': 'tap-9' });
    expect(retry).toMatchObject({ status: 202, body: { id: first.body.id, status: 'pending' } });
    expect((await orders.getEntity(orderAt(first.body.id).partitionKey, orderAt(first.body.id).rowKey)).rowKey).toBe(first.body.id);
  });

  it('reads the settings of a store once per cache period, not once per order', async () => {
    const c = cafe();
    for (let i = 0; i < 5; i++) expect((await c.order(americano(`c-${i}`))).status).toBe(202);
    expect(c.storeReads()).toBe(1);
  });
});
