import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, eventually, isFinal, startLocalHost, type Api, type LocalHost, type Order } from '../support/localHost';
import { silentTableService } from '../support/deps';

/**
 * The intake's bounds and the idempotency and concurrency headers, over HTTP against the local host as
 * `npm start` runs it. The host is started with a preload that can make its event log go silent for
 * the app's publishes (test/support/silentEventLog.mjs), switched by a file.
 */
const PRELOAD = pathToFileURL(path.resolve(__dirname, '..', 'support', 'silentEventLog.mjs')).href;

describe('intake and the safety headers over HTTP', () => {
  let host: LocalHost;
  let http: Api;
  let silence: string;

  beforeAll(async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'cafe-e2e-'));
    silence = path.join(dataDir, 'silent-event-log');
    host = await startLocalHost({
      dataDir,
      env: { NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import ${PRELOAD}`.trim(), CAFE_TEST_SILENT_EVENT_LOG: silence },
    });
    http = api(host.url);
  });

  afterAll(async () => {
    await host?.stop();
    host?.cleanup();
  });

  it('answers 202 while the event log never answers, and the sweep carries the order through once it does', async () => {
    await http.send('PUT', '/inventories/quiet', { cups: 5 });
    writeFileSync(silence, '');
    const placed = await http.send<Order>('POST', '/orders', { storeId: 'quiet', customerId: 'c-quiet', items: [{ menuItemId: 'americano', quantity: 1 }] });
    expect(placed.status).toBe(202);
    expect(host.output()).toContain(`order ${placed.body.id} stored but OrderPlaced not yet published`);
    expect((await http.get<Order>(`/orders/${placed.body.id}`)).body.status).toBe('pending');

    rmSync(silence);
    const done = await eventually(async () => {
      const { body } = await http.get<Order>(`/orders/${placed.body.id}`);
      return isFinal(body) ? body : undefined;
    }, 'the swept order to finish');
    expect(done.status).toBe('completed');
    expect((await http.get<{ cups: number }>('/inventories/quiet')).body.cups).toBe(4);
  });

  it('a key reused with another body is 422 and places nothing; the same key from another customer is a second order', async () => {
    const order = (customerId: string, quantity: number) =>
      http.send<Order & { type: string }>('POST', '/orders', { storeId: 'keys', customerId, items: [{ menuItemId: 'iced-tea', quantity }] }, { 'Idempotency-Key': 'tablet-3-tap-1' });
    const first = await order('c-k1', 1);
    expect(first.status).toBe(202);

    const reused = await order('c-k1', 2);
    expect(reused.status).toBe(422);
    expect(reused.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(reused.body.type).toContain('idempotency-key-reused');
    expect((await http.get<Order[]>('/orders?customerId=c-k1')).body.map((o) => o.id)).toEqual([first.body.id]);

    const repeat = await order('c-k1', 1);
    expect(repeat.body.id).toBe(first.body.id);
    const other = await order('c-k2', 1);
    expect(other.status).toBe(202);
    expect(other.body.id).not.toBe(first.body.id);
    expect((await http.get<Order[]>('/orders?storeId=keys')).body).toHaveLength(2);
  });

  it('a PUT with an If-Match read before a reservation is 412 and leaves the stock; with the fresh ETag it sets it', async () => {
    const set = await http.send('PUT', '/inventories/tags', { cups: 10 });
    const read = set.headers.get('etag')!;
    expect(read).toMatch(/^"[A-Za-z0-9_-]+"$/);
    expect((await http.get('/inventories/tags')).headers.get('etag')).toBe(read);

    const placed = await http.send<Order>('POST', '/orders', { storeId: 'tags', customerId: 'c-tags', items: [{ menuItemId: 'americano', quantity: 3 }] });
    await eventually(async () => ((await http.get<{ cups: number }>('/inventories/tags')).body.cups === 7 ? true : undefined), 'the reservation');

    const stale = await http.send<{ status: number }>('PUT', '/inventories/tags', { cups: 10 }, { 'If-Match': read });
    expect(stale.status).toBe(412);
    expect(stale.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const now = await http.get<{ cups: number }>('/inventories/tags');
    expect(now.body.cups).toBe(7);

    const fresh = await http.send<{ cups: number }>('PUT', '/inventories/tags', { cups: 20 }, { 'If-Match': now.headers.get('etag')! });
    expect(fresh.status).toBe(200);
    expect((await http.get<{ cups: number }>('/inventories/tags')).body.cups).toBe(20);
    expect(placed.status).toBe(202);
  });

  it('a restock repeated with its Idempotency-Key adds once; the key with another amount is 422', async () => {
    await http.send('PUT', '/inventories/deliveries', { cups: 1 });
    const restock = (cups: number) => http.send<{ cups: number; added: number }>('POST', '/inventories/deliveries/restock', { cups }, { 'Idempotency-Key': 'truck-42' });
    const first = await restock(6);
    const again = await restock(6);
    expect(first).toMatchObject({ status: 200, body: { cups: 7, added: 6 } });
    expect(again.body).toEqual(first.body);
    expect((await restock(60)).status).toBe(422);
    expect((await http.get<{ cups: number }>('/inventories/deliveries')).body.cups).toBe(7);
  });
});

describe('intake while storage does not answer', () => {
  it('answers 503 problem+json with Retry-After within its bound', async () => {
    const silent = await silentTableService();
    const host = await startLocalHost({ env: { TablesConnection: silent.connectionString, CAFE_LOG_LEVEL: 'none' } });
    try {
      const response = await api(host.url).send<{ status: number }>('POST', '/orders', { customerId: 'c-wait', items: [{ menuItemId: 'americano', quantity: 1 }] }, { 'Idempotency-Key': 'k' });
      expect(response.status).toBe(503);
      expect(response.headers.get('retry-after')).toBe('5');
      expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    } finally {
      await host.stop();
      host.cleanup();
      await silent.close();
    }
  });
});
