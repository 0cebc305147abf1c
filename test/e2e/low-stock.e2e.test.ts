import { spawn } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { eventually, sharedLocalHost, type Order } from '../support/localHost';

/**
 * Low stock over HTTP on the local host (threshold LOW_STOCK_CUPS=5): orders take a store's cups to the
 * threshold, `GET /inventories/{storeId}` says low, and the StockLow event is in the event log once,
 * read with `npm run events -- tail` as an operator would.
 */
const SCRIPT = path.resolve(__dirname, '..', '..', 'scripts', 'events.mjs');
const shared = sharedLocalHost({ LOW_STOCK_CUPS: '5' });

function tail(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const env = { ...process.env };
    delete env.AZURE_EVENTHUBS_NAMESPACE;
    const child = spawn(process.execPath, [SCRIPT, 'tail', '--local', '--url', shared.host.url, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

interface Stock {
  cups: number;
  low: boolean;
  lowStockCups: number;
}

describe('low stock over HTTP on the local host', () => {
  it('orders that take the cups to the threshold make the stock low and publish one StockLow', async () => {
    const store = `low-${process.pid}`;
    expect((await shared.http.send('PUT', `/inventories/${store}`, { cups: 9 })).status).toBe(200);
    expect((await shared.http.get<Stock>(`/inventories/${store}`)).body).toMatchObject({ cups: 9, low: false, lowStockCups: 5 });

    // 9 -> 7 -> 5 (crossed) -> 3: one crossing, however many orders follow it
    for (let i = 0; i < 3; i++) {
      const placed = await shared.http.send<Order>('POST', '/orders', { storeId: store, customerId: `c-low-${i}`, items: [{ menuItemId: 'americano', quantity: 2 }] });
      expect(placed.status).toBe(202);
      await eventually(async () => ((await shared.http.get<Order>(`/orders/${placed.body.id}`)).body.status === 'completed' ? true : undefined), 'the order to complete');
    }
    expect((await shared.http.get<Stock>(`/inventories/${store}`)).body).toMatchObject({ cups: 3, low: true, lowStockCups: 5 });
    const listed = (await shared.http.get<(Stock & { storeId: string })[]>('/inventories')).body.find((s) => s.storeId === store);
    expect(listed).toMatchObject({ cups: 3, low: true });

    const seen = await tail(['--from-beginning', '--timeout', '8', '--json']);
    expect(seen.code, seen.stderr).toBe(0);
    const stockLows = seen.stdout
      .trim()
      .split('\n')
      .map((line) => (JSON.parse(line) as { event: { type: string; storeId: string } & Record<string, unknown> }).event)
      .filter((event) => event.type === 'StockLow' && event.storeId === store);
    expect(stockLows).toEqual([expect.objectContaining({ id: `${store}.StockLow.1`, cups: 5, lowStockCups: 5, crossing: 1 })]);
    expect(stockLows[0]).not.toHaveProperty('orderId');
    // the line the Azure alert looks for (infra/app/alerts.bicep)
    expect(shared.host.output()).toContain(`stock low storeId=${store} cups=5 lowStockCups=5 crossing=1`);
  }, 90_000);
});
