import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localDate } from '../../functions/sales/sales';
import { orderTime } from '../../shared/identifiers';
import { expectNoSeriousViolations } from '../support/axe';
import { api, eventually, isFinal, startLocalHost, type Api, type LocalHost, type Order } from '../support/localHost';

/**
 * The staff page's sales section in Debian's Chromium, against the real local host (own Azurite and
 * event log in a temp folder). Screenshots go to test-artifacts/kiosk/ (git-ignored): look at them.
 */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) {
  console.warn(`[sales browser tests] SKIPPED: no Chromium at ${CHROMIUM}. Install Debian's chromium (apt-get install -y chromium) to run them; .ci/run does.`);
}

const ARTIFACTS = path.resolve(__dirname, '..', '..', 'test-artifacts', 'kiosk');
const TEST_MS = 90_000;

describe.skipIf(!hasChromium)('the staff sales section in Chromium', () => {
  let host: LocalHost;
  let http: Api;
  let browser: Browser;
  const problems: string[] = [];

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    host = await startLocalHost();
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

  /** The staff page in a browser whose clock is in UTC, the zone of a store with no settings. */
  async function open(route: string): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 1100 }, locale: 'en-US', timezoneId: 'UTC' });
    const page = await context.newPage();
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('console', (message) => {
      if (/Content Security Policy|Refused to/i.test(message.text())) problems.push(`CSP: ${message.text()}`);
    });
    await page.goto(`${host.url}${route}`);
    return page;
  }

  async function finished(id: string): Promise<Order> {
    return eventually(async () => {
      const order = (await http.get<Order>(`/orders/${id}`)).body;
      return isFinal(order) ? order : undefined;
    }, `order ${id} to finish`);
  }

  it(
    "shows the day's figures and a chart of the drinks sold, with the same numbers as text",
    async () => {
      expect((await http.send('PUT', '/inventories/chart', { cups: 3 })).status).toBe(200);
      const sold = await http.send<Order>('POST', '/orders', { storeId: 'chart', customerId: 'c-chart', items: [{ menuItemId: 'americano', quantity: 2 }, { menuItemId: 'iced-tea', quantity: 1 }] });
      expect((await finished(sold.body.id)).status).toBe('completed');
      const refused = await http.send<Order>('POST', '/orders', { storeId: 'chart', customerId: 'c-chart', items: [{ menuItemId: 'cafe-latte', quantity: 1 }] });
      expect(await finished(refused.body.id)).toMatchObject({ status: 'cancelled', reason: 'out-of-cups' });
      const today = localDate(orderTime(sold.body.id)!, 'UTC');

      const page = await open('/kiosk/staff?store=chart&lang=en');
      const dateInput = page.getByLabel('Day');
      // The same input whatever the language of its label.
      const dateById = page.locator('#sales-date');
      expect(await dateInput.inputValue()).toBe(today);
      await expect.poll(() => page.locator('#sales-figures [data-figure=cancelled] dd').textContent(), { timeout: 20_000 }).toBe('1 (Out of cups 1)');
      expect(await page.locator('#sales-title').textContent()).toBe('Sales at chart');
      expect(await page.locator('#sales-figures [data-figure=placed] dd').textContent()).toBe('2');
      expect(await page.locator('#sales-figures [data-figure=completed] dd').textContent()).toBe('1');
      expect(await page.locator('#sales-figures [data-figure=revenue] dd').textContent()).toBe('₩13,000');

      // The chart is one image named by what it shows; its bars are as long as the drinks sold.
      const chart = page.getByRole('img', { name: `Drinks sold on ${today}: Americano 2, Iced Tea 1` });
      await expect.poll(() => chart.count()).toBe(1);
      const width = (id: string) => page.locator(`.sales-chart g[data-drink="${id}"] rect`).evaluate((rect) => rect.getBoundingClientRect().width);
      const [americano, icedTea, latte] = [await width('americano'), await width('iced-tea'), await width('cafe-latte')];
      expect(americano).toBeGreaterThan(0);
      expect(icedTea / americano).toBeCloseTo(0.5, 1);
      expect(latte).toBe(0);
      // The table says the same for anyone who does not see the chart.
      const rows = await page.locator('#sales-drinks tr').evaluateAll((trs) => trs.map((tr) => [tr.querySelector('th')?.textContent, tr.querySelector('td')?.textContent]));
      expect(rows).toEqual([['Americano', '2'], ['Iced Americano', '0'], ['Cafe Latte', '0'], ['Vanilla Latte', '0'], ['Iced Tea', '1']]);
      await page.locator('#sales').screenshot({ path: path.join(ARTIFACTS, 'staff-sales.png') });
      await expectNoSeriousViolations(page, 'the staff page with a sales chart');

      // Another day: nothing sold, and the chart says so.
      await dateInput.fill('2020-01-01');
      await expect.poll(() => page.getByRole('img', { name: 'No drinks sold on 2020-01-01.' }).count()).toBe(1);
      expect(await page.locator('#sales-figures [data-figure=placed] dd').textContent()).toBe('0');

      // In Korean, the same figures in Korean words and won.
      await page.getByRole('button', { name: '한국어' }).click();
      expect(await page.getByLabel('날짜').count()).toBe(1);
      await dateById.fill(today);
      await expect.poll(() => page.locator('#sales-figures [data-figure=revenue] dd').textContent()).toBe('13,000원');
      expect(await page.locator('#sales-title').textContent()).toBe('chart 매장 매출');
      await page.locator('#sales').screenshot({ path: path.join(ARTIFACTS, 'staff-sales-korean.png') });
      await page.context().close();
      expect(problems.splice(0)).toEqual([]);
    },
    TEST_MS,
  );
});
