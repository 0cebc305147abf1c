import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContextOptions, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, eventually, startLocalHost, type Api, type LocalHost, type Order } from '../support/localHost';

/**
 * The kiosk and staff pages in Debian's Chromium, against the real local host (own Azurite and event
 * log in a temp folder). Screenshots go to test-artifacts/kiosk/ (git-ignored): look at them.
 */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) {
  console.warn(`[kiosk browser tests] SKIPPED: no Chromium at ${CHROMIUM}. Install Debian's chromium (apt-get install -y chromium) to run them; .ci/run does.`);
}

const ARTIFACTS = path.resolve(__dirname, '..', '..', 'test-artifacts', 'kiosk');
const FOLLOW_MS = 30_000; // brewing ~1 s, the beverage sweep every 1 s, plus event delivery
const TEST_MS = 90_000;

describe.skipIf(!hasChromium)('the kiosk pages in Chromium', () => {
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

  /** A fresh kiosk-sized page; script errors and CSP refusals fail the test that caused them. */
  async function open(route: string, options: BrowserContextOptions = {}): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-US', ...options });
    const page = await context.newPage();
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('console', (message) => {
      if (/Content Security Policy|Refused to/i.test(message.text())) problems.push(`CSP: ${message.text()}`);
    });
    await page.goto(`${host.url}${route}`);
    return page;
  }

  async function close(page: Page) {
    await page.context().close();
    expect(problems.splice(0)).toEqual([]);
  }

  const setCups = async (storeId: string, cups: number) => expect((await http.send('PUT', `/inventories/${storeId}`, { cups })).status).toBe(200);
  const drink = (page: Page, name: string) => page.getByRole('button', { name, exact: true });
  const placeOrder = (page: Page) => page.getByRole('button', { name: 'Place order', exact: true });
  const customerIdOf = (page: Page) => page.evaluate(() => sessionStorage.getItem('unmanned-cafe.customerId'));

  it(
    'orders a drink and follows it live until it is ready to pick up',
    async () => {
      await setCups('main', 10);
      const page = await open('/kiosk?lang=en');
      await drink(page, 'Iced Tea').click();
      await expect.poll(() => page.locator('#cart-total').textContent()).toBe('₩4,000');
      await placeOrder(page).click();

      const status = page.locator('[role=status][data-status=completed]');
      await status.waitFor({ timeout: FOLLOW_MS });
      expect(await status.textContent()).toBe('Ready to pick up');
      expect(await status.getAttribute('aria-live')).toBe('polite');

      const notification = page.locator('#notifications li');
      await notification.first().waitFor({ timeout: FOLLOW_MS });
      expect(await notification.allTextContents()).toEqual([expect.stringMatching(/^Your order \w{4} is ready\. Please pick it up at the counter\.$/)]);

      const number = await page.locator('#order-number').textContent();
      await expect.poll(() => page.locator('#board-ready .tile.mine').textContent(), { timeout: 10_000 }).toContain(number);

      // one tap, one order: exactly one order for this kiosk session, and it took one cup
      const customerId = await customerIdOf(page);
      expect(customerId).toMatch(/^kiosk-/);
      const orders = await http.get<Order[]>(`/orders?customerId=${customerId}`);
      expect(orders.body).toHaveLength(1);
      expect(orders.body[0]).toMatchObject({ status: 'completed', cups: 1, storeId: 'main' });
      expect((await http.get<{ cups: number }>('/inventories/main')).body.cups).toBe(9);

      await page.screenshot({ path: path.join(ARTIFACTS, 'customer-ready.png'), fullPage: true });
      await close(page);
    },
    TEST_MS,
  );

  it(
    'says "Sorry, we are out of cups" when the order needs more cups than the store has',
    async () => {
      await setCups('main', 2);
      const page = await open('/kiosk?lang=en');
      await drink(page, 'Cafe Latte').click();
      await page.getByRole('button', { name: 'One more Cafe Latte', exact: true }).click();
      await drink(page, 'Cafe Latte').click();
      await expect.poll(() => page.locator('#cart-total').textContent()).toBe('₩15,000');
      await placeOrder(page).click();

      const status = page.locator('[role=status][data-status=cancelled]');
      await status.waitFor({ timeout: FOLLOW_MS });
      expect(await status.textContent()).toBe('Sorry, we are out of cups');
      await page.locator('#notifications li').first().waitFor({ timeout: FOLLOW_MS });
      expect(await page.locator('#notifications li').first().textContent()).toContain('we are out of cups');
      expect((await http.get<{ cups: number }>('/inventories/main')).body.cups).toBe(2);

      await page.screenshot({ path: path.join(ARTIFACTS, 'customer-cancelled.png'), fullPage: true });
      await close(page);
    },
    TEST_MS,
  );

  it(
    'switches to Korean on screen, and starts in Korean for a Korean browser',
    async () => {
      const page = await open('/kiosk');
      await drink(page, 'Americano').waitFor();
      await page.getByRole('button', { name: '한국어' }).click();
      await drink(page, '아메리카노').waitFor();
      expect(await page.getByRole('button', { name: '주문하기', exact: true }).count()).toBe(1);
      expect(await page.locator('html').getAttribute('lang')).toBe('ko');
      expect(new URL(page.url()).searchParams.get('lang')).toBe('ko');
      expect(await page.locator('#drink-americano-meta .price').textContent()).toBe('₩4,500');
      await drink(page, '아이스티').click();
      await expect.poll(() => page.locator('#cart-total').textContent()).toBe('₩4,000');
      await page.screenshot({ path: path.join(ARTIFACTS, 'customer-korean.png'), fullPage: true });
      await close(page);

      const korean = await open('/kiosk', { locale: 'ko-KR' });
      await drink(korean, '카페 라테').waitFor();
      await close(korean);
    },
    TEST_MS,
  );

  it(
    'can be used from the keyboard alone',
    async () => {
      await setCups('main', 10);
      const page = await open('/kiosk?lang=en');
      await drink(page, 'Americano').focus();
      await page.keyboard.press('Enter');
      await page.keyboard.press('Space');
      await expect.poll(() => page.locator('#cart-total').textContent()).toBe('₩9,000');
      expect(await page.evaluate(() => document.activeElement?.getAttribute('data-id'))).toBe('americano');
      await placeOrder(page).focus();
      await page.keyboard.press('Enter');
      await page.locator('[role=status][data-status]').waitFor({ timeout: FOLLOW_MS });
      expect(await page.evaluate(() => document.activeElement?.id)).toBe('tracker-title');
      await page.locator('[role=status][data-status=completed]').waitFor({ timeout: FOLLOW_MS });
      await close(page);
    },
    TEST_MS,
  );

  it(
    'clears a finished order from the screen by itself after 90 s, for the next customer',
    async () => {
      await setCups('main', 10);
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-US' });
      const page = await context.newPage();
      await page.clock.install(); // the page's timers run only when the test moves its clock
      await page.goto(`${host.url}/kiosk?lang=en`);
      await drink(page, 'Americano').click();
      await placeOrder(page).click();
      const tracker = page.locator('#tracker');
      await tracker.waitFor();
      const deadline = Date.now() + FOLLOW_MS;
      while ((await page.locator('#notifications li').count()) === 0) {
        expect(Date.now()).toBeLessThan(deadline);
        await page.clock.runFor(1_000); // one polling tick
        await new Promise((resolve) => setTimeout(resolve, 200)); // real time for the saga and the answers
      }
      expect(await page.locator('[role=status]').getAttribute('data-status')).toBe('completed');
      await page.clock.runFor(60_000);
      expect(await tracker.isVisible()).toBe(true);
      await page.clock.runFor(31_000);
      await tracker.waitFor({ state: 'hidden' });
      await context.close();
    },
    TEST_MS,
  );

  it(
    'lets staff restock a store and set its cups, warns about low stock, and shows cancellations',
    async () => {
      // a cancelled order to show: no cups at all
      await setCups('main', 0);
      const placed = await http.send<Order>('POST', '/orders', { storeId: 'main', customerId: 'staff-test', items: [{ menuItemId: 'americano', quantity: 1 }] });
      expect(placed.status).toBe(202);
      await eventually(async () => ((await http.get<Order>(`/orders/${placed.body.id}`)).body.status === 'cancelled' ? true : undefined), 'the order to be cancelled', FOLLOW_MS);
      await setCups('main', 3);

      const page = await open('/kiosk/staff?lang=en');
      const mainCups = page.locator('tr[data-store="main"] .cups');
      await expect.poll(() => mainCups.textContent()).toBe('3');
      const warning = page.getByRole('alert');
      await expect.poll(() => warning.textContent()).toContain('Low stock: main (3)');
      const cancelledRow = page.locator(`tr.cancelled[data-order="${placed.body.id}"]`);
      await cancelledRow.waitFor();
      expect(await cancelledRow.textContent()).toContain('Out of cups');

      const restock = page.locator('#restock-form');
      await restock.getByLabel('Store').fill('main');
      await restock.getByLabel('Cups').fill('7');
      await restock.getByRole('button', { name: 'Add cups', exact: true }).click();
      await expect.poll(() => mainCups.textContent()).toBe('10');
      expect(await restock.locator('.result').textContent()).toBe('Added 7: main now has 10 cups.');
      expect((await http.get<{ cups: number }>('/inventories/main')).body.cups).toBe(10);
      await expect.poll(() => warning.isVisible()).toBe(false);

      const set = page.locator('#set-form');
      await set.getByLabel('Store').fill('north');
      await set.getByLabel('Cups').fill('4');
      await set.getByRole('button', { name: 'Set cups', exact: true }).click();
      await expect.poll(() => page.locator('tr[data-store="north"] .cups').textContent()).toBe('4');
      expect((await http.get<{ cups: number }>('/inventories/north')).body.cups).toBe(4);
      await expect.poll(() => warning.textContent()).toContain('north (4)');

      // bad input never reaches the API
      await restock.getByLabel('Cups').fill('0');
      await restock.getByRole('button', { name: 'Add cups', exact: true }).click();
      expect(await restock.locator('.result').textContent()).toBe('Enter a whole number from 1 to 1,000,000.');
      expect(await restock.getByLabel('Cups').getAttribute('aria-invalid')).toBe('true');
      expect((await http.get<{ cups: number }>('/inventories/main')).body.cups).toBe(10);

      await page.screenshot({ path: path.join(ARTIFACTS, 'staff.png'), fullPage: true });
      await close(page);
    },
    TEST_MS,
  );
});
