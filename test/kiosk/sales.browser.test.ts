import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { localDate } from '../../functions/sales/sales';
import { orderTime } from '../../shared/identifiers';
import { expectNoSeriousViolations } from '../support/axe';
import { ARTIFACTS, browserSuite, chromiumFor } from '../support/browser';
import { eventually, isFinal, type Order } from '../support/localHost';

/**
 * The staff page's sales section in Debian's Chromium, against the real local host (own Azurite and
 * event log in a temp folder). Screenshots go to test-artifacts/kiosk/ (git-ignored): look at them.
 */
const hasChromium = chromiumFor('sales browser tests');
const TEST_MS = 90_000;

describe.skipIf(!hasChromium)('the staff sales section in Chromium', () => {
  const suite = browserSuite();
  const { close } = suite;
  /** The staff page in a browser whose clock is in UTC, the zone of a store with no settings. */
  const open = (route: string) => suite.open(route, { viewport: { width: 1280, height: 1100 }, timezoneId: 'UTC' });

  async function finished(id: string): Promise<Order> {
    return eventually(async () => {
      const order = (await suite.http.get<Order>(`/orders/${id}`)).body;
      return isFinal(order) ? order : undefined;
    }, `order ${id} to finish`);
  }

  it(
    "shows the day's figures and a chart of the drinks sold, with the same numbers as text",
    async () => {
      expect((await suite.http.send('PUT', '/inventories/chart', { cups: 3 })).status).toBe(200);
      const sold = await suite.http.send<Order>('POST', '/orders', { storeId: 'chart', customerId: 'c-chart', items: [{ menuItemId: 'americano', quantity: 2 }, { menuItemId: 'iced-tea', quantity: 1 }] });
      expect((await finished(sold.body.id)).status).toBe('completed');
      const refused = await suite.http.send<Order>('POST', '/orders', { storeId: 'chart', customerId: 'c-chart', items: [{ menuItemId: 'cafe-latte', quantity: 1 }] });
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
      await close(page);
    },
    TEST_MS,
  );
});
