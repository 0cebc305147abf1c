import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeViolations, expectNoSeriousViolations } from '../support/axe';
import { CHROMIUM, chromiumFor } from '../support/browser';

const hasChromium = chromiumFor('axe check tests');

/** The accessibility check itself: its label-in-name rule is live, so a page cannot pass it by accident. */
describe.skipIf(!hasChromium)('the axe check', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--no-first-run'] });
  });
  afterAll(async () => {
    await browser?.close();
  });

  const page = async (body: string) => {
    const p = await browser.newPage();
    await p.setContent(`<!doctype html><html lang="en"><head><title>axe check</title></head><body><main><h1>Drinks</h1>${body}</main></body></html>`);
    return p;
  };

  it('reports a button whose aria-label leaves out its visible text (label in name)', async () => {
    // The kiosk's old drink button (named by the drink alone, showing the price too), and a plain mismatch.
    const p = await page('<button id="tea" type="button" aria-label="Iced Tea">Iced Tea ₩4,000</button><button id="latte" type="button" aria-label="Add one">Latte</button>');
    const violations = await axeViolations(p);
    const mismatch = violations.find((v) => v.id === 'label-content-name-mismatch');
    expect(mismatch?.impact).toBe('serious');
    expect(mismatch?.nodes.map((n) => n.target.join(' '))).toEqual(['#tea', '#latte']);
    await expect(expectNoSeriousViolations(p, 'a mislabelled button')).rejects.toThrow(/label-content-name-mismatch/);
    await p.close();
  });

  it('passes the same buttons named by their content', async () => {
    const p = await page('<button type="button">Iced Tea ₩4,000</button><button type="button" aria-label="Latte, add one">Latte</button>');
    await expectNoSeriousViolations(p, 'buttons named by their content');
    await p.close();
  });
});
