import path from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { expectNoSeriousViolations } from '../support/axe';
import { ARTIFACTS, browserSuite, chromiumFor } from '../support/browser';

/**
 * Store settings on the kiosk and staff pages in Debian's Chromium, against the real local host (own
 * Azurite and event log in a temp folder). Drinks brew for a minute here, so an order stays open while
 * the busy store is tested. Screenshots go to test-artifacts/kiosk/ (git-ignored).
 */
const hasChromium = chromiumFor('store settings browser tests');
const TEST_MS = 60_000;

interface Settings {
  open: boolean;
  machines: number | null;
  maxOrdersInFlight: number | null;
  unavailable: string[];
  brewSeconds: Record<string, number>;
}

describe.skipIf(!hasChromium)('store settings on the kiosk and staff pages in Chromium', () => {
  const suite = browserSuite({ env: { BREW_SECONDS: '60' } });
  const { open, close } = suite;

  const patch = async (storeId: string, body: unknown) => expect((await suite.http.send('PATCH', `/stores/${storeId}`, body, { 'content-type': 'application/merge-patch+json' })).status).toBe(200);
  const setCups = async (storeId: string, cups: number) => expect((await suite.http.send('PUT', `/inventories/${storeId}`, { cups })).status).toBe(200);
  const placeOrder = (page: Page) => page.getByRole('button', { name: 'Place order', exact: true });

  it(
    'shows a closed store: a clear message, and no drink or order can be chosen',
    async () => {
      await patch('shut', { open: false });
      const page = await open('/kiosk?store=shut&lang=en');
      await expect.poll(() => page.locator('#store-state').textContent()).toBe('This store is closed. Ordering is not available right now.');
      expect(await page.locator('#store-state').getAttribute('aria-live')).toBe('polite');
      const americano = page.getByRole('button', { name: /^Americano / });
      expect(await americano.isDisabled()).toBe(true);
      expect(await placeOrder(page).isDisabled()).toBe(true);
      await page.screenshot({ path: path.join(ARTIFACTS, 'store-closed.png'), fullPage: true });
      await expectNoSeriousViolations(page, 'the kiosk of a closed store');

      // Reopened: the kiosk learns it at its next read of the settings.
      await patch('shut', { open: null });
      await page.reload();
      await americano.click();
      await expect.poll(() => placeOrder(page).isDisabled()).toBe(false);
      expect(await page.locator('#store-state').textContent()).toBe('');
      await close(page);
    },
    TEST_MS,
  );

  it(
    'shows a sold-out drink as disabled, with "Sold out" in its visible text and its accessible name',
    async () => {
      await patch('tea-out', { unavailable: ['iced-tea'] });
      const page = await open('/kiosk?store=tea-out&lang=en');
      const tea = page.getByRole('button', { name: /^Iced Tea Sold out / });
      await tea.waitFor();
      expect(await tea.isDisabled()).toBe(true);
      expect(await tea.innerText()).toContain('Sold out');
      // Label in name: the accessible name starts with the drink's visible name.
      expect(await tea.locator('.drink-name').innerText()).toBe('Iced Tea');
      await expectNoSeriousViolations(page, 'the kiosk with a sold-out drink');
      expect(await page.getByRole('button', { name: /^Americano / }).isDisabled()).toBe(false);

      await page.goto(`${suite.host.url}/kiosk?store=tea-out&lang=ko`);
      await page.getByRole('button', { name: /^아이스티 품절 / }).waitFor();
      await page.screenshot({ path: path.join(ARTIFACTS, 'store-sold-out.png'), fullPage: true });
      await close(page);
    },
    TEST_MS,
  );

  it(
    'shows a busy store’s answer with the time to try again',
    async () => {
      await setCups('queue', 10);
      await patch('queue', { maxOpenOrdersPerCustomer: 1, brewSeconds: { americano: 45 } });
      const page = await open('/kiosk?store=queue&lang=en');
      const americano = page.getByRole('button', { name: /^Americano / });
      await americano.click();
      await placeOrder(page).click();
      await page.locator('#order-number').filter({ hasText: /\w/ }).waitFor();
      // The same customer (this kiosk session) orders again while the first order is still brewing.
      await americano.click();
      await placeOrder(page).click();
      await expect.poll(() => page.locator('#cart-error').textContent()).toMatch(/^The cafe is very busy\. Please try again in \d+ seconds\.$/);
      const seconds = Number(/in (\d+) seconds/.exec((await page.locator('#cart-error').textContent()) ?? '')?.[1]);
      expect(seconds).toBeGreaterThanOrEqual(45);
      expect(await page.locator('#cart-error').getAttribute('role')).toBe('alert');
      await page.screenshot({ path: path.join(ARTIFACTS, 'store-busy.png'), fullPage: true });
      await close(page);
    },
    TEST_MS,
  );

  it(
    'lets staff close a store, mark a drink sold out and set machines and a brewing time, sending only those fields',
    async () => {
      await patch('staffed', { maxOrdersInFlight: 7 });
      const page = await open('/kiosk/staff?store=staffed&lang=en');
      const form = page.locator('#settings-form');
      await expect.poll(() => form.getByLabel('Most orders in progress').inputValue()).toBe('7');
      expect(await page.locator('#settings-title').textContent()).toBe('Settings of staffed');
      // Meanwhile another member of staff changes another field: the page's patch must not undo it.
      await patch('staffed', { maxOrdersInFlight: 9 });

      const sent: unknown[] = [];
      page.on('request', (request) => {
        if (request.method() === 'PATCH') sent.push({ type: request.headers()['content-type'], body: request.postDataJSON() });
      });
      await form.getByRole('radio', { name: 'Closed' }).check();
      await form.getByRole('checkbox', { name: 'Iced Tea' }).check();
      await form.getByLabel('Drink machines').fill('2');
      await form.getByLabel('Cafe Latte (seconds)').fill('50');
      await form.getByRole('button', { name: 'Save settings' }).click();
      await expect.poll(() => form.locator('.result').textContent()).toMatch(/^Saved: /);
      expect(sent).toEqual([{ type: 'application/merge-patch+json', body: { open: false, machines: 2, unavailable: ['iced-tea'], brewSeconds: { 'cafe-latte': 50 } } }]);
      const stored = (await suite.http.get<Settings>('/stores/staffed')).body;
      expect(stored).toMatchObject({ open: false, machines: 2, maxOrdersInFlight: 9, unavailable: ['iced-tea'], brewSeconds: { 'cafe-latte': 50 } });

      // A value the server would refuse is caught on the page, named, and nothing is sent.
      await form.getByLabel('Most open orders per customer').fill('0');
      await form.getByRole('button', { name: 'Save settings' }).click();
      await expect.poll(() => form.locator('.result').textContent()).toBe('Enter a number from 1 to 100000, or leave it empty.');
      expect(await form.getByLabel('Most open orders per customer').getAttribute('aria-invalid')).toBe('true');
      expect(sent).toHaveLength(1);
      await page.screenshot({ path: path.join(ARTIFACTS, 'store-settings-staff.png'), fullPage: true });
      await expectNoSeriousViolations(page, 'the staff page with the store settings form (one field invalid)');
      await close(page);
    },
    TEST_MS,
  );
});
