import { describe, expect, it } from 'vitest';
import { sharedLocalHost } from '../support/localHost';

/** The operators' view of the consumer groups, against the local host's event log. */
const shared = sharedLocalHost();

interface Lag {
  consumerGroups: { consumerGroup: string; lag: number; eventsPerSecond?: number; partitions: { partitionId: string; lag: number }[] }[];
}

describe('GET /operations/lag', () => {
  it('shows every consumer group caught up once an order is final, and its throughput since the last call', async () => {
    await shared.http.send('PUT', '/inventories/lag-store', { cups: 5 });
    const placed = await shared.http.send<{ id: string }>('POST', '/orders', { storeId: 'lag-store', customerId: 'c-lag', items: [{ menuItemId: 'americano', quantity: 1 }] });
    const first = await shared.http.get<Lag>('/operations/lag');
    expect(first.status).toBe(200);
    expect(first.body.consumerGroups.map((g) => g.consumerGroup).sort()).toEqual(['beverages', 'inventory', 'kiosk', 'notifications', 'orders', 'sales']);
    for (let i = 0; i < 100 && (await shared.http.get<{ status: string }>(`/orders/${placed.body.id}`)).body.status !== 'completed'; i++) await new Promise((r) => setTimeout(r, 100));
    let later = await shared.http.get<Lag>('/operations/lag');
    for (let i = 0; i < 50 && later.body.consumerGroups.some((g) => g.lag > 0); i++) {
      await new Promise((r) => setTimeout(r, 100));
      later = await shared.http.get<Lag>('/operations/lag');
    }
    expect(later.body.consumerGroups.every((g) => g.lag === 0 && g.partitions.length === 4)).toBe(true);
    expect(later.body.consumerGroups.find((g) => g.consumerGroup === 'orders')?.eventsPerSecond).toBeGreaterThan(0);
  });
});
