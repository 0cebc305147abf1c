import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, eventually, startLocalHost, type Api, type LocalHost, type Order } from '../support/localHost';

/**
 * The order deadline and the customer cancel over HTTP, on the local host. Inventory is switched off,
 * so no order can make progress before brewing: only the deadline (3 s here) or a cancel ends it.
 */
let host: LocalHost;
let http: Api;

beforeAll(async () => {
  // Its own storage, not the Azurite the other test files share: every host's open-order sweep reads the
  // whole `~open` partition, so a host with the default 15 min deadline would hold these orders to it,
  // and this host's 3 s deadline would cancel the other files' orders.
  host = await startLocalHost({
    env: { 'AzureWebJobs.reserveCups.Disabled': 'true', ORDER_DEADLINE_SECONDS: '3' },
  });
  http = api(host.url);
});

afterAll(async () => {
  await host.stop();
  host.cleanup();
});

const store = `deadline-${process.pid}-${Date.now().toString(36)}`;

async function place(customerId: string): Promise<Order> {
  const response = await http.send<Order>('POST', '/orders', { storeId: store, customerId, items: [{ menuItemId: 'americano', quantity: 1 }] });
  expect(response.status).toBe(202);
  return response.body;
}

async function finalOrder(id: string): Promise<Order> {
  return eventually(async () => {
    const { body } = await http.get<Order>(`/orders/${id}`);
    return body.status === 'completed' || body.status === 'cancelled' ? body : undefined;
  }, `order ${id} to end`);
}

async function notificationsOf(order: Order) {
  return eventually(async () => {
    const { body } = await http.get<{ kind: string; message: string }[]>(`/notifications?customerId=${order.customerId}&orderId=${order.id}`);
    return body.length > 0 ? body : undefined;
  }, `a notification for ${order.id}`);
}

describe('an order that makes no progress before brewing', () => {
  it('is cancelled as timed-out after its deadline, and the customer is told once', async () => {
    const placed = await place(`${store}-late`);
    const ended = await finalOrder(placed.id);
    expect(ended).toMatchObject({ status: 'cancelled', reason: 'timed-out' });
    const notes = await notificationsOf(placed);
    expect(notes.map((n) => n.kind)).toEqual(['order-cancelled']);
    expect(notes[0]!.message).toContain('could not start it in time');
    const view = await eventually(async () => {
      const { body } = await http.get<{ status: string; reason?: string }>(`/kiosk/orders/${placed.id}`);
      return body.status === 'cancelled' ? body : undefined;
    }, 'the kiosk to show the cancellation');
    expect(view.reason).toBe('timed-out');
    expect((await http.get<unknown[]>(`/beverages?orderId=${placed.id}`)).body).toEqual([]);
  });

  it('a customer may cancel it first; asking again answers the same', async () => {
    const placed = await place(`${store}-cancel`);
    const first = await http.send<Order & { cancel?: { reason: string } }>('POST', `/orders/${placed.id}/cancel`, undefined);
    expect(first.status).toBe(202);
    expect(first.body).toMatchObject({ id: placed.id, cancel: { reason: 'customer-cancelled' } });
    expect(await finalOrder(placed.id)).toMatchObject({ status: 'cancelled', reason: 'customer-cancelled' });
    const again = await http.send<Order>('POST', `/orders/${placed.id}/cancel`, undefined);
    expect(again).toMatchObject({ status: 202, body: { id: placed.id, status: 'cancelled', reason: 'customer-cancelled' } });
    expect((await notificationsOf(placed)).map((n) => n.kind)).toEqual(['order-cancelled']);
    const unknown = await http.send('POST', '/orders/0000nosuchorder/cancel', undefined);
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  });
});
