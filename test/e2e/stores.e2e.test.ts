import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, startLocalHost, type Api, type LocalHost, type Order } from '../support/localHost';

interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
}

interface Settings {
  storeId: string;
  open: boolean;
  maxOrdersInFlight: number | null;
  unavailable: string[];
  brewSeconds: Record<string, number>;
  updatedAt?: string;
}

/**
 * Store settings and what intake does with them, over HTTP against the local host with sign-in
 * enforced (AUTH_MODE=local). Drinks brew for a minute here, so orders stay in flight while the load
 * limits are tested.
 */
describe('store settings and intake gating over HTTP', () => {
  let host: LocalHost;
  let http: Api;
  let staffOf: (store: string) => Promise<Record<string, string>>;

  beforeAll(async () => {
    host = await startLocalHost({ env: { AUTH_MODE: 'local', BREW_SECONDS: '60' } });
    http = api(host.url);
    staffOf = async (store) => {
      const answer = await http.send<{ token: string }>('POST', '/.auth/local/token', { roles: ['staff'], stores: [store] });
      return { authorization: `Bearer ${answer.body.token}` };
    };
  });

  afterAll(async () => {
    await host?.stop();
    host?.cleanup();
  });

  const patch = async (store: string, body: unknown, headers: Record<string, string> = {}) =>
    http.send<Settings & Problem>('PATCH', `/stores/${store}`, body, { 'content-type': 'application/merge-patch+json', ...(await staffOf(store)), ...headers });
  const order = (storeId: string, customerId: string, headers: Record<string, string> = {}, menuItemId = 'americano') =>
    http.send<Order & Problem>('POST', '/orders', { storeId, customerId, items: [{ menuItemId, quantity: 1 }] }, headers);
  const stock = async (store: string, cups: number) => expect((await http.send('PUT', `/inventories/${store}`, { cups }, await staffOf(store))).status).toBe(200);

  it('shows anyone the defaults of a store never configured', async () => {
    const answer = await http.get<Settings>('/stores/never-set');
    expect(answer.status).toBe(200);
    expect(answer.headers.get('etag')).toBeTruthy();
    expect(answer.body).toEqual({ storeId: 'never-set', open: true, machines: null, maxOrdersInFlight: null, maxOpenOrdersPerCustomer: null, lowStockCups: null, unavailable: [], brewSeconds: {}, timeZone: 'UTC' });
  });

  it('lets only the store’s staff patch it: 401 anonymous, 403 another store’s staff, nothing written', async () => {
    const anonymous = await http.send<Problem>('PATCH', '/stores/guarded', { open: false }, { 'content-type': 'application/merge-patch+json' });
    expect(anonymous.status).toBe(401);
    const other = await http.send<Problem>('PATCH', '/stores/guarded', { open: false }, { 'content-type': 'application/merge-patch+json', ...(await staffOf('elsewhere')) });
    expect(other.status).toBe(403);
    expect((await http.get<Settings>('/stores/guarded')).body.open).toBe(true);
    expect((await patch('guarded', { open: false })).status).toBe(200);
    expect((await http.get<Settings>('/stores/guarded')).body.open).toBe(false);
  });

  it('merges a patch, resets a field sent as null, and refuses an invalid patch writing nothing', async () => {
    const first = await patch('merge', { maxOrdersInFlight: 5, brewSeconds: { americano: 30, 'iced-tea': 20 } });
    expect(first.body).toMatchObject({ open: true, maxOrdersInFlight: 5, brewSeconds: { americano: 30, 'iced-tea': 20 } });
    const second = await patch('merge', { maxOrdersInFlight: null, brewSeconds: { 'iced-tea': null } });
    expect(second.status).toBe(200);
    expect(second.body).toMatchObject({ maxOrdersInFlight: null, brewSeconds: { americano: 30 } });
    for (const invalid of [{ open: 'no' }, { closed: true }, { brewSeconds: { espresso: 3 } }, { unavailable: ['americano', 'americano'] }]) {
      const refused = await patch('merge', invalid);
      expect(refused.status, JSON.stringify(invalid)).toBe(400);
      expect(refused.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    }
    const after = await http.get<Settings>('/stores/merge');
    expect(after.body).toEqual(second.body);
    expect(after.headers.get('etag')).toBe(second.headers.get('etag'));
    const stale = await patch('merge', { open: false }, { 'if-match': first.headers.get('etag')! });
    expect(stale.status).toBe(412);
  });

  it('refuses orders in a closed store (409 store-closed) and takes them once it reopens', async () => {
    await patch('closing', { open: false });
    const refused = await order('closing', 'c-closed');
    expect(refused.status).toBe(409);
    expect(refused.body.type).toMatch(/\/store-closed$/);
    expect((await http.send<Order[]>('GET', '/orders?storeId=closing', undefined, await staffOf('closing'))).body).toEqual([]);
    await patch('closing', { open: true });
    expect((await order('closing', 'c-closed')).status).toBe(202);
  });

  it('refuses an order with a sold-out drink (409 item-unavailable)', async () => {
    await patch('soldout', { unavailable: ['iced-tea'] });
    const refused = await order('soldout', 'c-tea', {}, 'iced-tea');
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ type: expect.stringMatching(/\/item-unavailable$/), detail: expect.stringContaining('Iced Tea') });
    expect((await order('soldout', 'c-tea', {}, 'americano')).status).toBe(202);
  });

  it('refuses past the store’s orders in flight (429 store-busy, Retry-After)', async () => {
    await stock('capped', 10);
    await patch('capped', { maxOrdersInFlight: 2 });
    expect((await order('capped', 'c-a')).status).toBe(202);
    expect((await order('capped', 'c-b')).status).toBe(202);
    const busy = await order('capped', 'c-c');
    expect(busy.status).toBe(429);
    expect(busy.body.type).toMatch(/\/store-busy$/);
    expect(Number(busy.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
  });

  it('refuses a customer past their own open orders (429) while another customer orders', async () => {
    await stock('per-customer', 10);
    await patch('per-customer', { maxOpenOrdersPerCustomer: 1 });
    expect((await order('per-customer', 'c-one')).status).toBe(202);
    const again = await order('per-customer', 'c-one');
    expect(again.status).toBe(429);
    expect(again.body.title).toBe('Too many open orders');
    expect(again.headers.get('retry-after')).toMatch(/^\d+$/);
    expect((await order('per-customer', 'c-two')).status).toBe(202);
  });

  it('answers a repeat of an order taken before the store closed with that order (202)', async () => {
    await stock('repeat', 10);
    const first = await order('repeat', 'c-r', { 'Idempotency-Key': 'kiosk-1-tap-1' });
    expect(first.status).toBe(202);
    await patch('repeat', { open: false });
    const again = await order('repeat', 'c-r', { 'Idempotency-Key': 'kiosk-1-tap-1' });
    expect(again.status).toBe(202);
    expect(again.body.id).toBe(first.body.id);
    expect((await order('repeat', 'c-r', { 'Idempotency-Key': 'kiosk-1-tap-2' })).status).toBe(409);
  });
});
