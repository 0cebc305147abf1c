import { describe, expect, it } from 'vitest';
import { localDate } from '../../functions/sales/sales';
import { orderTime } from '../../shared/identifiers';
import { eventually, isFinal, sharedLocalHost, type Order } from '../support/localHost';

/** A store's sales day over HTTP, against the local host as `npm start` runs it. */
const shared = sharedLocalHost();

interface Sales {
  date: string;
  timeZone: string;
  placed: number;
  completed: number;
  cancelled: { total: number; byReason: Record<string, number> };
  drinks: Record<string, number>;
  revenue: number;
  currency: string;
}

describe('GET /stores/{storeId}/sales', () => {
  it('shows the orders of the day: placed, completed with their drinks and revenue, cancelled by reason', async () => {
    const { http } = shared;
    const storeId = `sales-${Date.now().toString(36)}`;
    await http.send('PUT', `/inventories/${storeId}`, { cups: 2 });
    const done = await http.send<Order>('POST', '/orders', { storeId, customerId: 'c-sales-1', items: [{ menuItemId: 'cafe-latte', quantity: 2 }] });
    expect(done.status).toBe(202);
    const final = await eventually(async () => {
      const o = (await http.get<Order>(`/orders/${done.body.id}`)).body;
      return isFinal(o) ? o : undefined;
    }, 'the first order to finish');
    expect(final.status).toBe('completed');
    // No cup left: the second order is cancelled for too few cups.
    const short = await http.send<Order>('POST', '/orders', { storeId, customerId: 'c-sales-2', items: [{ menuItemId: 'americano', quantity: 1 }] });
    const cancelled = await eventually(async () => {
      const o = (await http.get<Order>(`/orders/${short.body.id}`)).body;
      return isFinal(o) ? o : undefined;
    }, 'the second order to finish');
    expect(cancelled).toMatchObject({ status: 'cancelled', reason: 'out-of-cups' });

    // The store has no settings of its own: its day is the UTC day its orders were placed on.
    const date = localDate(orderTime(done.body.id)!, 'UTC');
    expect(localDate(orderTime(short.body.id)!, 'UTC'), 'the test ran across midnight UTC').toBe(date);
    const sales = await eventually(async () => {
      const response = await http.get<Sales>(`/stores/${storeId}/sales?date=${date}`);
      expect(response.status).toBe(200);
      return response.body.completed === 1 && response.body.cancelled.total === 1 ? response.body : undefined;
    }, 'the sales figures');
    expect(sales).toEqual({
      storeId,
      date,
      timeZone: 'UTC',
      placed: 2,
      completed: 1,
      cancelled: { total: 1, byReason: { 'out-of-cups': 1 } },
      drinks: { americano: 0, 'iced-americano': 0, 'cafe-latte': 2, 'vanilla-latte': 0, 'iced-tea': 0 },
      revenue: 10_000,
      currency: 'KRW',
    });

    const bad = await http.get<{ status: number; type: string }>(`/stores/${storeId}/sales?date=yesterday`);
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toContain('application/problem+json');
    expect((await http.get(`/stores/${storeId}/sales`)).status).toBe(400);
  });
});
