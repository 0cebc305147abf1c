import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectNoSeriousViolations } from '../support/axe';
import { api, eventually, startLocalHost, type Api, type LocalHost, type Order } from '../support/localHost';

/**
 * The staff page's low-stock indicator in Debian's Chromium, against the real local host. The page
 * shows what the server says (`low` from GET /inventories, judged on each store's threshold), so its
 * own copy of the threshold is made useless here: GET /kiosk/settings is answered with 0.
 */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.warn(`[low-stock browser test] SKIPPED: no Chromium at ${CHROMIUM}.`);

const ARTIFACTS = path.resolve(__dirname, '..', '..', 'test-artifacts', 'kiosk');

describe.skipIf(!hasChromium)('the staff page shows low stock', () => {
  let host: LocalHost;
  let http: Api;
  let browser: Browser;
  const problems: string[] = [];

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    host = await startLocalHost({ env: { LOW_STOCK_CUPS: '5' } });
    http = api(host.url);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic', '--no-first-run'],
    });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await host?.stop();
    host?.cleanup();
  });

  async function openStaff(): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-US' });
    const page = await context.newPage();
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    // The page's own threshold says "never low": only the server's word can make it show low stock.
    await page.route('**/kiosk/settings', async (route) => {
      const response = await route.fetch();
      await route.fulfill({ response, json: { ...((await response.json()) as object), lowStockCups: 0 } });
    });
    await page.goto(`${host.url}/kiosk/staff?lang=en&store=corner`);
    return page;
  }

  it(
    'marks a store low in words once orders take its cups to the threshold, and clears it after a restock',
    async () => {
      expect((await http.send('PUT', '/inventories/corner', { cups: 7 })).status).toBe(200);
      const page = await openStaff();
      const row = page.locator('tr[data-store="corner"]');
      const state = row.locator('.pill');
      const warning = page.getByRole('alert');
      await expect.poll(() => row.locator('.cups').textContent()).toBe('7');
      expect(await state.textContent()).toBe('OK');
      expect(await warning.isVisible()).toBe(false);

      const placed = await http.send<Order>('POST', '/orders', { storeId: 'corner', customerId: 'c-low', items: [{ menuItemId: 'americano', quantity: 3 }] });
      expect(placed.status).toBe(202);
      await eventually(async () => ((await http.get<{ cups: number; low: boolean }>('/inventories/corner')).body.low ? true : undefined), 'the stock to be low');

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

      await page.context().close();
      expect(problems).toEqual([]);
    },
    90_000,
  );
});
