import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { expectNoSeriousViolations } from '../support/axe';
import { ARTIFACTS, browserSuite, chromiumFor } from '../support/browser';
import { eventually, type Order } from '../support/localHost';

/**
 * The staff page's low-stock indicator in Debian's Chromium, against the real local host. The page
 * shows what the server says (`low` from GET /inventories, judged on each store's threshold), so its
 * own copy of the threshold is made useless here: GET /kiosk/settings is answered with 0.
 */
const hasChromium = chromiumFor('low-stock browser test');

describe.skipIf(!hasChromium)('the staff page shows low stock', () => {
  const suite = browserSuite({ env: { LOW_STOCK_CUPS: '5' } });

  const openStaff = () =>
    suite.open('/kiosk/staff?lang=en&store=corner', {
      // The page's own threshold says "never low": only the server's word can make it show low stock.
      prepare: (page) =>
        page.route('**/kiosk/settings', async (route) => {
          const response = await route.fetch();
          await route.fulfill({ response, json: { ...((await response.json()) as object), lowStockCups: 0 } });
        }),
    });

  it(
    'marks a store low in words once orders take its cups to the threshold, and clears it after a restock',
    async () => {
      expect((await suite.http.send('PUT', '/inventories/corner', { cups: 7 })).status).toBe(200);
      const page = await openStaff();
      const row = page.locator('tr[data-store="corner"]');
      const state = row.locator('.pill');
      const warning = page.getByRole('alert');
      await expect.poll(() => row.locator('.cups').textContent()).toBe('7');
      expect(await state.textContent()).toBe('OK');
      expect(await warning.isVisible()).toBe(false);

      const placed = await suite.http.send<Order>('POST', '/orders', { storeId: 'corner', customerId: 'c-low', items: [{ menuItemId: 'americano', quantity: 3 }] });
      expect(placed.status).toBe(202);
      await eventually(async () => ((await suite.http.get<{ cups: number; low: boolean }>('/inventories/corner')).body.low ? true : undefined), 'the stock to be low');

      // the page polls every few seconds: the next refresh shows 4 cups as low, in words
      await expect.poll(() => row.locator('.cups').textContent(), { timeout: 20_000 }).toBe('4');
      expect(await state.textContent()).toBe('Low stock');
      expect(await row.getAttribute('class')).toContain('low');
      await expect.poll(() => warning.textContent()).toContain('Low stock: corner (4)');
      await page.screenshot({ path: path.join(ARTIFACTS, 'staff-low-stock.png'), fullPage: true });
      await expectNoSeriousViolations(page, 'the staff page warning of low stock');

      const restock = page.locator('#restock-form');
      await restock.getByLabel('Store').fill('corner');
      await restock.getByLabel('Cups').fill('10');
      await restock.getByRole('button', { name: 'Add cups', exact: true }).click();
      await expect.poll(() => row.locator('.cups').textContent()).toBe('14');
      expect(await state.textContent()).toBe('OK');
      await expect.poll(() => warning.isVisible()).toBe(false);

      await suite.close(page);
    },
    90_000,
  );
});
