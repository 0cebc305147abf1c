import { SignJWT, generateKeyPair } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, eventually, startLocalHost, type Api, type LocalHost, type Order } from '../support/localHost';

interface Problem {
  type: string;
  status: number;
  detail: string;
}

/**
 * Who may do what, over HTTP, against the local host with AUTH_MODE=local: the host signs tokens at
 * POST /.auth/local/token and the app verifies them with the same code that checks Entra tokens on Azure.
 */
describe('sign-in and access rules with AUTH_MODE=local', () => {
  let host: LocalHost;
  let http: Api;
  let operator: Record<string, string>;
  let staffMain: Record<string, string>;
  let staffNorth: Record<string, string>;

  const tokenFor = async (body: unknown) => {
    const answer = await http.send<{ token: string }>('POST', '/.auth/local/token', body);
    expect(answer.status).toBe(200);
    return { authorization: `Bearer ${answer.body.token}` };
  };
  const cupsOf = async (store: string) => (await http.send<{ cups: number }>('GET', `/inventories/${store}`, undefined, operator)).body.cups;
  const expectProblem = (response: { status: number; headers: Headers; body: unknown }, status: number) => {
    expect(response.status).toBe(status);
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect((response.body as Problem).status).toBe(status);
    if (status === 401) expect(response.headers.get('www-authenticate')).toMatch(/^Bearer /);
  };
  const finalOrder = (id: string) =>
    eventually(async () => {
      const { body } = await http.get<Order>(`/orders/${id}`);
      return body.status === 'completed' || body.status === 'cancelled' ? body : undefined;
    }, `order ${id} to finish`);

  beforeAll(async () => {
    host = await startLocalHost({ env: { AUTH_MODE: 'local' } });
    http = api(host.url);
    operator = await tokenFor({ roles: ['operator'], name: 'olivia' });
    staffMain = await tokenFor({ roles: ['staff'], stores: ['main'], name: 'sam' });
    staffNorth = await tokenFor({ roles: ['staff'], stores: ['north'] });
    expect((await http.send('PUT', '/inventories/main', { cups: 10 }, staffMain)).status).toBe(200);
    expect((await http.send('PUT', '/inventories/north', { cups: 5 }, staffNorth)).status).toBe(200);
  });

  afterAll(async () => {
    await host?.stop();
    host?.cleanup();
  });

  it('says in the start banner that sign-in is enforced', () => {
    expect(host.output()).toContain('AUTH_MODE=local');
    expect(host.output()).not.toContain('NOTHING IS PROTECTED');
  });

  it('refuses an anonymous caller stock changes and customer lists with 401, and writes nothing', async () => {
    expectProblem(await http.send('PUT', '/inventories/main', { cups: 0 }), 401);
    expectProblem(await http.send('POST', '/inventories/main/restock', { cups: 50 }), 401);
    expect(await cupsOf('main')).toBe(10);
    for (const route of ['/orders?customerId=c-1', '/orders', '/stores/main/orders', '/notifications?customerId=c-1', '/inventories', '/beverages', '/deadletters', '/audit']) {
      expectProblem(await http.get(route), 401);
    }
  });

  it('lets customers order and follow their order without signing in', async () => {
    const placed = await http.send<Order>('POST', '/orders', { customerId: 'c-anon', items: [{ menuItemId: 'iced-tea', quantity: 1 }] });
    expect(placed.status).toBe(202);
    expect(await finalOrder(placed.body.id)).toMatchObject({ status: 'completed' });
    expect((await http.get(`/kiosk/orders/${placed.body.id}`)).status).toBe(200);
    const notes = await eventually(async () => {
      const { body } = await http.get<unknown[]>(`/notifications?orderId=${placed.body.id}`);
      return body.length > 0 ? body : undefined;
    }, 'the notification');
    expect(notes).toHaveLength(1);
    for (const route of ['/health', '/menu', '/kiosk', '/kiosk/staff', '/kiosk/settings']) expect((await http.get(route)).status, route).toBe(200);
  });

  it('keeps staff of one store out of another (403), and writes nothing there', async () => {
    expectProblem(await http.send('PUT', '/inventories/north', { cups: 0 }, staffMain), 403);
    expectProblem(await http.send('POST', '/inventories/north/restock', { cups: 9 }, staffMain), 403);
    expectProblem(await http.send('GET', '/orders?storeId=north', undefined, staffMain), 403);
    expectProblem(await http.send('GET', '/stores/north/orders', undefined, staffMain), 403);
    expect((await http.send('GET', '/stores/main/orders', undefined, staffMain)).status).toBe(200);
    expect(await cupsOf('north')).toBe(5);
    const restocked = await http.send<{ cups: number }>('POST', '/inventories/main/restock', { cups: 2 }, staffMain);
    expect(restocked).toMatchObject({ status: 200, body: { cups: expect.any(Number) } });
    // Their lists hold their own stores only.
    const stock = await http.send<{ storeId: string }[]>('GET', '/inventories', undefined, staffMain);
    expect(stock.body.map((s) => s.storeId)).toEqual(['main']);
    const everyStore = await http.send<{ storeId: string }[]>('GET', '/inventories', undefined, operator);
    expect(everyStore.body.map((s) => s.storeId)).toEqual(['main', 'north']);
  });

  it('lets operators list dead letters and replay them, and not staff', async () => {
    expectProblem(await http.send('GET', '/deadletters', undefined, staffMain), 403);
    expectProblem(await http.send('POST', `/deadletters/reserveCups/${'a'.repeat(64)}/replay`, undefined, staffMain), 403);
    const listed = await http.send('GET', '/deadletters', undefined, operator);
    expect(listed.status).toBe(200);
    expect(Array.isArray(listed.body)).toBe(true);
    // The guard let the operator through to the route itself, which knows no such dead letter.
    expectProblem(await http.send('POST', `/deadletters/reserveCups/${'a'.repeat(64)}/replay`, undefined, operator), 404);
  });

  it('refuses a forged token and an expired one', async () => {
    // Signed by a key of the right kind, but not the host's.
    const { privateKey } = await generateKeyPair('ES256');
    const forged = await new SignJWT({ roles: ['operator'] })
      .setProtectedHeader({ alg: 'ES256' })
      .setIssuer('urn:unmanned-cafe:local-host')
      .setAudience('urn:unmanned-cafe:api')
      .setSubject('mallory')
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(privateKey);
    expectProblem(await http.send('PUT', '/inventories/main', { cups: 0 }, { authorization: `Bearer ${forged}` }), 401);
    // A real token with its payload edited: the signature no longer matches.
    const [header, , signature] = staffMain.authorization!.slice('Bearer '.length).split('.');
    const payload = Buffer.from(JSON.stringify({ roles: ['operator'], sub: 'sam', iss: 'urn:unmanned-cafe:local-host', aud: 'urn:unmanned-cafe:api', exp: 4_000_000_000 })).toString('base64url');
    expectProblem(await http.send('PUT', '/inventories/main', { cups: 0 }, { authorization: `Bearer ${header}.${payload}.${signature}` }), 401);
    // "none" is not an algorithm.
    const unsigned = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${payload}.`;
    expectProblem(await http.send('PUT', '/inventories/main', { cups: 0 }, { authorization: `Bearer ${unsigned}` }), 401);
    expect(await cupsOf('main')).toBeGreaterThan(0);

    // Expired: the host's own key, in its data folder, signing a token that ended an hour ago.
    const { readFileSync } = await import('node:fs');
    const { importJWK } = await import('jose');
    const keys = JSON.parse(readFileSync(`${host.dataDir}/auth/local-signing-key.json`, 'utf8')) as { privateJwk: { kid: string } };
    const hostKey = await importJWK(keys.privateJwk, 'ES256');
    const sign = (exp: number) =>
      new SignJWT({ roles: ['operator'] })
        .setProtectedHeader({ alg: 'ES256', kid: keys.privateJwk.kid })
        .setIssuer('urn:unmanned-cafe:local-host')
        .setAudience('urn:unmanned-cafe:api')
        .setSubject('late')
        .setIssuedAt(exp - 900)
        .setExpirationTime(exp)
        .sign(hostKey);
    const now = Math.floor(Date.now() / 1000);
    const expired = await http.send<Problem>('PUT', '/inventories/main', { cups: 0 }, { authorization: `Bearer ${await sign(now - 3600)}` });
    expectProblem(expired, 401);
    expect(expired.body.detail).toContain('expired');
    // The same key with a live expiry is accepted: the refusal above was the expiry.
    expect((await http.send('GET', '/inventories/main', undefined, { authorization: `Bearer ${await sign(now + 600)}` })).status).toBe(200);
  });

  it('shows pickup codes and statuses on the board: no order id, no customer id, no items', async () => {
    const placed = await http.send<Order>('POST', '/orders', { customerId: 'c-board-secret', items: [{ menuItemId: 'americano', quantity: 1 }] });
    await finalOrder(placed.body.id);
    const board = await eventually(async () => {
      const { body } = await http.get<Record<string, unknown>[]>('/kiosk/orders?storeId=main');
      return body.some((tile) => tile.code === placed.body.id.slice(-4).toUpperCase() && tile.status === 'completed') ? body : undefined;
    }, 'the order on the board');
    const text = JSON.stringify(board);
    expect(text).not.toContain(placed.body.id);
    expect(text).not.toContain('c-board-secret');
    for (const tile of board) expect(Object.keys(tile).sort()).toEqual(expect.arrayContaining(['code', 'status']));
    for (const tile of board) expect(tile).not.toHaveProperty('items');
  });

  it('erases a customer everywhere: orders keep their figures without the id', async () => {
    const customerId = 'c-forget-me';
    const placed = await http.send<Order>('POST', '/orders', { customerId, items: [{ menuItemId: 'cafe-latte', quantity: 2 }] });
    await finalOrder(placed.body.id);
    await eventually(async () => ((await http.send<unknown[]>('GET', `/notifications?customerId=${customerId}`, undefined, operator)).body.length > 0 ? true : undefined), 'the notification');

    expectProblem(await http.send('DELETE', `/customers/${customerId}`, undefined, staffMain), 403);
    const erased = await http.send('DELETE', `/customers/${customerId}`, undefined, operator);
    expect(erased.status).toBe(202);

    await eventually(async () => {
      const order = (await http.get<Order>(`/orders/${placed.body.id}`)).body;
      const notes = (await http.send<unknown[]>('GET', `/notifications?customerId=${customerId}`, undefined, operator)).body;
      const notesByOrder = (await http.get<unknown[]>(`/notifications?orderId=${placed.body.id}`)).body;
      const kiosk = (await http.get<Record<string, unknown>>(`/kiosk/orders/${placed.body.id}`)).body;
      const jobs = (await http.send<unknown[]>('GET', `/beverages?orderId=${placed.body.id}`, undefined, operator)).body;
      return order.customerId !== customerId && notes.length === 0 && notesByOrder.length === 0 && !('customerId' in kiosk) && jobs.length > 0 ? { order } : undefined;
    }, 'the customer id to be gone everywhere');
    const order = (await http.get<Order>(`/orders/${placed.body.id}`)).body;
    expect(order).toMatchObject({ status: 'completed', cups: 2, items: [{ menuItemId: 'cafe-latte', quantity: 2 }] });
    expect((await http.send<Order[]>('GET', `/orders?customerId=${customerId}`, undefined, operator)).body).toEqual([]);
  });

  it('records staff writes in the audit trail that operators read', async () => {
    expect((await http.send('PUT', '/inventories/main', { cups: 12 }, staffMain)).status).toBe(200);
    expectProblem(await http.send('PUT', '/inventories/north', { cups: 1 }, staffMain), 403);
    expectProblem(await http.send('GET', '/audit', undefined, staffMain), 403);
    const trail = await http.send<{ who: string; action: string; status: number; outcome: string; storeId?: string }[]>('GET', '/audit?limit=50', undefined, operator);
    expect(trail.status).toBe(200);
    expect(trail.body).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ who: 'sam', action: 'PUT /inventories/main', status: 200, outcome: 'done', storeId: 'main' }),
        expect.objectContaining({ who: 'sam', action: 'PUT /inventories/north', status: 403, outcome: 'refused', storeId: 'north' }),
        expect.objectContaining({ who: 'olivia', action: `DELETE /customers/c-forget-me`, status: 202 }),
      ]),
    );
  });

  it('refuses a body whose declared length is over the cap before reading it (413)', async () => {
    const response = await fetch(`${host.url}/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ customerId: 'c-big', items: [{ menuItemId: 'americano', quantity: 1 }], pad: 'x'.repeat(20_000) }),
    });
    expect(response.status).toBe(413);
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  });

  it('issues tokens only for known roles, and staff only with stores', async () => {
    expect((await http.send('POST', '/.auth/local/token', { roles: ['admin'] })).status).toBe(400);
    expect((await http.send('POST', '/.auth/local/token', { roles: ['staff'] })).status).toBe(400);
  });
});
