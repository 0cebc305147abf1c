import { TableClient } from '@azure/data-tables';
import type { Page } from 'playwright-core';
import { describe, expect, inject, it } from 'vitest';
import { DEFAULT_STORE_SETTINGS, toRow } from '../../shared/storeSettings';
import { TABLES } from '../../shared/topology';
import { expectNoSeriousViolations } from '../support/axe';
import { browserSuite, chromiumFor } from '../support/browser';
import { eventually, type Order } from '../support/localHost';

/**
 * The customer's "Cancel order" button on the kiosk, in Debian's Chromium, against the local host on
 * the shared test Azurite. Each test's store has one drink machine, kept busy by an order placed over
 * HTTP, so the kiosk's own order waits (accepted) for as long as the test needs.
 */
const hasChromium = chromiumFor('kiosk cancel browser tests');
const TEST_MS = 90_000;
const run = `${process.pid}-${Date.now().toString(36)}`;

describe.skipIf(!hasChromium)('cancelling from the kiosk in Chromium', () => {
  const suite = browserSuite({ env: { TablesConnection: inject('tablesConnection') } });
  const { close } = suite;

  /** A store with one machine, an Americano taking `seconds`, 10 cups, and its machine taken by a first order. */
  async function busyStore(name: string, seconds: number): Promise<{ store: string; blocker: Order }> {
    const store = `${name}-${run}`;
    const stores = TableClient.fromConnectionString(inject('tablesConnection'), TABLES.stores, { allowInsecureConnection: true });
    await stores.createTable();
    await stores.upsertEntity(toRow(store, { ...DEFAULT_STORE_SETTINGS, machines: 1, brewSeconds: { americano: seconds } }, new Date()), 'Replace');
    expect((await suite.http.send('PUT', `/inventories/${store}`, { cups: 10 })).status).toBe(200);
    const placed = await suite.http.send<Order>('POST', '/orders', { storeId: store, customerId: `${store}-first`, items: [{ menuItemId: 'americano', quantity: 1 }] });
    await until(placed.body.id, 'brewing');
    return { store, blocker: placed.body };
  }

  const until = (id: string, status: string) =>
    eventually(async () => ((await suite.http.get<Order>(`/orders/${id}`)).body.status === status ? true : undefined), `order ${id} to be ${status}`);

  const open = (store: string) => suite.open(`/kiosk?lang=en&store=${store}`);

  async function orderAmericano(page: Page): Promise<string> {
    await page.getByRole('button', { name: /^Americano / }).click();
    const answer = page.waitForResponse((r) => r.url().endsWith('/orders') && r.request().method() === 'POST');
    await page.getByRole('button', { name: 'Place order', exact: true }).click();
    return ((await (await answer).json()) as Order).id;
  }

  const cancelButton = (page: Page) => page.getByRole('button', { name: 'Cancel order', exact: true });
  const status = (page: Page) => page.locator('#order-status');

  it(
    'cancels an order waiting for the machine: the button asks, the order ends cancelled as asked',
    async () => {
      const { store } = await busyStore('kiosk-cancel', 30);
      const page = await open(store);
      const id = await orderAmericano(page);
      await until(id, 'accepted');
      await expect.poll(() => status(page).getAttribute('data-status'), { timeout: 15_000 }).toBe('accepted');
      expect(await cancelButton(page).isVisible()).toBe(true);
      await expectNoSeriousViolations(page, 'the kiosk following a queued order, with its cancel button');

      const asked = page.waitForResponse((r) => r.url().endsWith(`/orders/${id}/cancel`));
      await cancelButton(page).click();
      expect((await asked).status()).toBe(202);
      await expect.poll(() => status(page).getAttribute('data-status'), { timeout: 30_000 }).toBe('cancelled');
      expect(await page.locator('#order-help').textContent()).toContain('cancelled');
      expect(await cancelButton(page).isVisible()).toBe(false);
      expect((await suite.http.get<Order>(`/orders/${id}`)).body).toMatchObject({ status: 'cancelled', reason: 'customer-cancelled' });
      await close(page);
    },
    TEST_MS,
  );

  it(
    'says it is too late when the order started brewing before the cancel arrived (409)',
    async () => {
      const { store } = await busyStore('kiosk-too-late', 3);
      // The kiosk's view of its order stays as the POST answered it: its status polls fail (as on a flaky
      // network) while, behind it, the machine frees and the order starts brewing. Only the polls of the
      // order itself fail; the board and the cancel go through.
      const page = await suite.open(`/kiosk?lang=en&store=${store}`, {
        prepare: (p) => p.route((url) => /\/kiosk\/orders\/[^/]+$/.test(url.pathname), (route) => route.abort('internetdisconnected')),
      });
      const id = await orderAmericano(page);
      await expect.poll(() => status(page).getAttribute('data-status')).toBe('pending');
      await until(id, 'brewing');
      expect(await cancelButton(page).isVisible()).toBe(true);

      const asked = page.waitForResponse((r) => r.url().endsWith(`/orders/${id}/cancel`));
      await cancelButton(page).click();
      expect((await asked).status()).toBe(409);
      await expect.poll(() => page.locator('#cancel-outcome').textContent()).toContain('Too late to cancel');
      expect(await cancelButton(page).isVisible()).toBe(false);
      await until(id, 'completed');
      await close(page);
    },
    TEST_MS,
  );
});
