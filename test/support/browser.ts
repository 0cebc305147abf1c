import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContextOptions, type Page } from 'playwright-core';
import { afterAll, beforeAll, expect } from 'vitest';
import { api, startLocalHost, type Api, type LocalHost, type LocalHostOptions } from './localHost';

/**
 * What every browser test file shares: Debian's Chromium (skipped, with the reason printed, where it is
 * missing), a local host of the file's own, and pages whose script errors and CSP refusals fail the test
 * that caused them. Screenshots go to test-artifacts/kiosk/ (git-ignored): look at them.
 */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const ARTIFACTS = path.resolve(__dirname, '..', '..', 'test-artifacts', 'kiosk');

/** Whether Chromium is there; says loudly, naming the tests, when it is not. */
export function chromiumFor(tests: string): boolean {
  const present = existsSync(CHROMIUM);
  if (!present) console.warn(`[${tests}] SKIPPED: no Chromium at ${CHROMIUM}. Install Debian's chromium (apt-get install -y chromium) to run them; .ci/run does.`);
  return present;
}

export interface PageOptions extends BrowserContextOptions {
  /** Runs before the page loads (to intercept a route, install a clock). */
  prepare?: (page: Page) => Promise<unknown>;
}

export interface BrowserSuite {
  readonly host: LocalHost;
  readonly http: Api;
  readonly browser: Browser;
  /** A fresh kiosk-sized page (1280 x 900, en-US unless told otherwise) at `route`. */
  open(route: string, options?: PageOptions): Promise<Page>;
  /** Closes the page's context; the page must have had no script error or CSP refusal. */
  close(page: Page): Promise<void>;
}

/** Starts the host and the browser before the file's tests and stops them after; call inside `describe`. */
export function browserSuite(hostOptions: LocalHostOptions = {}): BrowserSuite {
  let host: LocalHost;
  let http: Api;
  let browser: Browser;
  const problems: string[] = [];

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    host = await startLocalHost(hostOptions);
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

  return {
    get host() {
      return host;
    },
    get http() {
      return http;
    },
    get browser() {
      return browser;
    },
    async open(route, { prepare, ...options } = {}) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-US', ...options });
      const page = await context.newPage();
      page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
      page.on('console', (message) => {
        if (/Content Security Policy|Refused to/i.test(message.text())) problems.push(`CSP: ${message.text()}`);
      });
      await prepare?.(page);
      await page.goto(`${host.url}${route}`);
      return page;
    },
    async close(page) {
      await page.context().close();
      expect(problems.splice(0)).toEqual([]);
    },
  };
}
