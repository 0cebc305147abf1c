import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';

/**
 * axe-core in a playwright page: WCAG 2.0, 2.1 and 2.2 A and AA rules, plus label-in-name
 * (`label-content-name-mismatch`, WCAG 2.5.3), which axe-core ships as experimental and so runs only
 * when enabled by name.
 */
const AXE_SOURCE = readFileSync(createRequire(__filename).resolve('axe-core/axe.min.js'), 'utf8');
export const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];
const SERIOUS = ['serious', 'critical'];

export interface Violation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[]; failureSummary: string }[];
}

/** Runs axe on the page as it is now. */
export async function axeViolations(page: Page): Promise<Violation[]> {
  // Evaluated through the DevTools protocol rather than added as a <script>: the pages' CSP allows
  // only their own scripts, and the check must not loosen it.
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(AXE_SOURCE);
  return page.evaluate(async (tags) => {
    const axe = (window as unknown as { axe: { run(context: Document, options: object): Promise<{ violations: Violation[] }> } }).axe;
    const result = await axe.run(document, { runOnly: { type: 'tag', values: tags }, rules: { 'label-content-name-mismatch': { enabled: true } }, resultTypes: ['violations'] });
    return result.violations.map(({ id, impact, help, nodes }) => ({ id, impact: impact ?? null, help, nodes: nodes.map(({ target, failureSummary }) => ({ target: target.map(String), failureSummary: failureSummary ?? '' })) }));
  }, AXE_TAGS);
}

/** One line per failing element: rule, impact, what to fix, where. */
export function describeViolations(violations: readonly Violation[]): string {
  return violations
    .flatMap((v) => v.nodes.map((node) => `[${v.impact}] ${v.id}: ${v.help}\n    at ${node.target.join(' ')}\n    ${node.failureSummary.replace(/\n/g, '\n    ')}`))
    .join('\n');
}

/** Fails with a readable list when axe finds a serious or critical violation; `state` names what was checked. */
export async function expectNoSeriousViolations(page: Page, state: string): Promise<void> {
  const serious = (await axeViolations(page)).filter((v) => SERIOUS.includes(v.impact ?? ''));
  expect(serious.length, `axe on ${state}:\n${describeViolations(serious)}`).toBe(0);
}
