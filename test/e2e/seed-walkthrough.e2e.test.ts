import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, eventually, startLocalHost, type Api, type LocalHost, type Order } from '../support/localHost';

/**
 * The original design's walkthrough, over HTTP, against the local host exactly as `npm start` runs it
 * (its own Azurite and event log in a fresh data folder).
 */
describe('the seed walkthrough over HTTP', () => {
  let host: LocalHost;
  let http: Api;

  beforeAll(async () => {
    host = await startLocalHost();
    http = api(host.url);
  });

  afterAll(async () => {
    await host?.stop();
    host?.cleanup();
  });

  const finalOrder = (id: string) =>
    eventually(async () => {
      const { body } = await http.get<Order>(`/orders/${id}`);
      return body.status === 'completed' || body.status === 'cancelled' ? body : undefined;
    }, `order ${id} to finish`);

  it('starts with AUTH_MODE=off by default and says loudly that nothing is protected', () => {
    expect(host.output()).toContain('AUTH_MODE=off: NOTHING IS PROTECTED');
  });

  it('answers health and menu', async () => {
    expect(await http.get('/health')).toMatchObject({ status: 200, body: { status: 'ok' } });
    const menu = await http.get<{ id: string; name: string; price: number }[]>('/menu');
    expect(menu.body.map((m) => m.id)).toEqual(expect.arrayContaining(['americano', 'cafe-latte', 'iced-tea']));
  });

  it('with 10 cups, 11 americanos are cancelled for lack of cups and 1 iced tea is brewed', async () => {
    const stock = await http.send('PUT', '/inventories/main', { cups: 10 });
    expect(stock).toMatchObject({ status: 200, body: { storeId: 'main', cups: 10 } });

    const big = await http.send<Order>('POST', '/orders', { customerId: 'c-1', items: [{ menuItemId: 'americano', quantity: 11 }] });
    expect(big.status).toBe(202);
    expect(big.body).toMatchObject({ status: 'pending', cups: 11, storeId: 'main' });
    expect(big.headers.get('location')).toBe(`/orders/${big.body.id}`);
    expect(await finalOrder(big.body.id)).toMatchObject({ status: 'cancelled', reason: 'out-of-cups' });

    const small = await http.send<Order>('POST', '/orders', { customerId: 'c-2', items: [{ menuItemId: 'iced-tea', quantity: 1 }] });
    expect(await finalOrder(small.body.id)).toMatchObject({ status: 'completed' });
    expect((await http.get('/inventories/main')).body).toMatchObject({ cups: 9 });

    const cancelled = await eventually(async () => {
      const { body } = await http.get<{ kind: string }[]>(`/notifications?customerId=c-1`);
      return body.length > 0 ? body : undefined;
    }, 'the cancellation notification');
    expect(cancelled).toEqual([expect.objectContaining({ orderId: big.body.id, kind: 'order-cancelled', message: expect.stringContaining('out of cups') })]);
    const completed = await eventually(async () => {
      const { body } = await http.get<{ kind: string }[]>(`/notifications?orderId=${small.body.id}`);
      return body.length > 0 ? body : undefined;
    }, 'the completion notification');
    expect(completed).toEqual([expect.objectContaining({ customerId: 'c-2', kind: 'order-completed' })]);

    const beverages = await http.get<{ status: string; menuItemId: string }[]>(`/beverages?orderId=${small.body.id}`);
    expect(beverages.body).toEqual([expect.objectContaining({ menuItemId: 'iced-tea', quantity: 1, status: 'completed' })]);
    expect((await http.get(`/beverages?orderId=${big.body.id}`)).body).toEqual([]);

    const board = await eventually(async () => {
      const { body } = await http.get<{ code: string; status: string }[]>('/kiosk/orders?storeId=main');
      return body.length === 2 && body.every((o) => o.status === 'completed' || o.status === 'cancelled') ? body : undefined;
    }, 'the kiosk board');
    // The public board shows pickup codes and statuses: never the order id (the customer's key) nor the customer.
    const code = (id: string) => id.slice(-4).toUpperCase();
    expect(board.map((o) => [o.code, o.status])).toEqual([[code(small.body.id), 'completed'], [code(big.body.id), 'cancelled']]);
    expect((await http.get(`/kiosk/orders/${big.body.id}`)).body).toMatchObject({ status: 'cancelled', reason: 'out-of-cups' });

    const listed = await http.get<Order[]>('/orders?storeId=main');
    expect(listed.body.map((o) => o.id)).toEqual([small.body.id, big.body.id]);
    expect((await http.get<Order[]>('/orders?status=cancelled')).body.map((o) => o.id)).toEqual([big.body.id]);
  });

  it('reads empty query parameters as absent, as in the contract\'s GET /orders?customerId=&storeId=&status=', async () => {
    const all = await http.get<Order[]>('/orders?customerId=&storeId=&status=');
    expect(all.status).toBe(200);
    expect(all.body.length).toBeGreaterThan(0);
    expect((await http.get('/orders?status=lost')).status).toBe(400);
  });

  it('answers a repeated Idempotency-Key with the same order', async () => {
    const body = { customerId: 'c-idem', items: [{ menuItemId: 'cafe-latte', quantity: 1 }] };
    const first = await http.send<Order>('POST', '/orders', body, { 'Idempotency-Key': 'kiosk-7-tap-1' });
    const second = await http.send<Order>('POST', '/orders', body, { 'Idempotency-Key': 'kiosk-7-tap-1' });
    expect(second.status).toBe(202);
    expect(second.body.id).toBe(first.body.id);
    expect((await http.get<Order[]>('/orders?customerId=c-idem')).body).toHaveLength(1);
  });

  it.each([
    ['malformed JSON', '{"customerId": "c-bad",', 400],
    ['an unknown field', { customerId: 'c-bad', status: 'completed', items: [{ menuItemId: 'americano', quantity: 1 }] }, 400],
    ['a nested unknown field', { customerId: 'c-bad', items: [{ menuItemId: 'americano', quantity: 1, price: 1 }] }, 400],
    ['a drink not on the menu', { customerId: 'c-bad', items: [{ menuItemId: 'mojito', quantity: 1 }] }, 400],
    ['a quantity of 21', { customerId: 'c-bad', items: [{ menuItemId: 'americano', quantity: 21 }] }, 400],
    ['a missing customer', { items: [{ menuItemId: 'americano', quantity: 1 }] }, 400],
  ])('rejects an order with %s as problem+json and stores nothing', async (_, body, status) => {
    const response = await http.send<{ type: string; title: string; status: number; detail: string; errors?: unknown[] }>('POST', '/orders', body);
    expect(response.status).toBe(status);
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(response.body).toMatchObject({ status, title: expect.any(String), detail: expect.any(String), type: expect.any(String) });
    expect((await http.get<Order[]>('/orders?customerId=c-bad')).body).toEqual([]);
  });

  it('names the failing fields of a validation error', async () => {
    const response = await http.send<{ errors: { path: string; message: string }[] }>('POST', '/orders', {
      customerId: 'c-bad',
      items: [{ menuItemId: 'americano', quantity: 0, sugar: true }],
    });
    expect(response.body.errors.map((e) => e.path).sort()).toEqual(['items.0.quantity', 'items.0.sugar']);
  });

  it.each([
    ['PUT', '/inventories/main', { cups: -1 }],
    ['PUT', '/inventories/main', { cups: 1.5 }],
    ['PUT', '/inventories/Main%20St', { cups: 1 }],
    ['POST', '/inventories/main/restock', { cups: 0 }],
    ['POST', '/inventories/main/restock', { cups: 1, extra: true }],
  ])('rejects %s %s with bad input and leaves the stock alone', async (method, route, body) => {
    const before = (await http.get<{ cups: number }>('/inventories/main')).body.cups;
    const response = await http.send(method, route, body);
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect((await http.get<{ cups: number }>('/inventories/main')).body.cups).toBe(before);
  });

  it('answers unknown orders, stores and routes with 404 problems', async () => {
    for (const route of ['/orders/doesnotexist', '/orders/Not%20an%20id!', '/inventories/never-set', '/kiosk/orders/doesnotexist', '/no/such/route']) {
      const response = await http.get(route);
      expect(response.status, route).toBe(404);
      expect(response.headers.get('content-type'), route).toMatch(/^application\/problem\+json/);
    }
    // A route that exists for other methods only: 404 as on Azure, not 405.
    const wrongMethod = await http.send('DELETE', '/orders', undefined);
    expect(wrongMethod.status).toBe(404);
    expect(wrongMethod.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(wrongMethod.headers.get('allow')).toBeNull();
  });
});
