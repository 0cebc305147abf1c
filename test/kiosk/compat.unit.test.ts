import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { setChildren } from '../../functions/kiosk/web/dom.js';

/**
 * The kiosk runs on whatever browser the kiosk hardware has, often an Android WebView that is not
 * updated. One unsupported piece of syntax fails the whole module (the screen would stay on "Loading
 * the menu…"), so the pages keep to ES2020 syntax and to DOM APIs of Chromium 80, and browsers without
 * ES modules get a message from unsupported.js instead.
 */
const WEB = path.resolve(__dirname, '..', '..', 'functions', 'kiosk', 'web');
const ROOT = path.resolve(__dirname, '..', '..');

// ESLint's own parser (espree, a dependency of the eslint dev dependency) checks the syntax per edition.
interface Token {
  type: string;
  value: string;
}
const espree = createRequire(createRequire(path.join(ROOT, 'package.json')).resolve('eslint'))('espree') as {
  parse(code: string, options: { ecmaVersion: number; sourceType: 'module' | 'script' }): unknown;
  tokenize(code: string, options: { ecmaVersion: number; sourceType: 'module' | 'script' }): Token[];
};

const scripts = readdirSync(WEB).filter((file) => file.endsWith('.js') && !file.endsWith('.d.js'));
const modules = scripts.filter((file) => file !== 'unsupported.js');
const source = (file: string) => readFileSync(path.join(WEB, file), 'utf8');

/** DOM and library calls newer than Chromium 80 (the version each needs), which a module must not use. */
const TOO_NEW = new Map<string, number>(
  Object.entries({
    replaceChildren: 86,
    replaceAll: 85,
    WeakRef: 84,
    AggregateError: 85,
    hasOwn: 93,
    structuredClone: 98,
    findLast: 97,
    findLastIndex: 97,
    toSorted: 110,
    toReversed: 110,
    toSpliced: 110,
    groupBy: 117,
  }),
);

describe('the kiosk on older browsers', () => {
  it('has its page scripts in ES2020 (Chromium 80): no ??=, ||=, &&= (Chromium 85) or 1_000 separators', () => {
    expect(modules).toEqual(expect.arrayContaining(['app.js', 'staff.js', 'dom.js', 'i18n.js']));
    for (const file of modules) {
      expect(() => espree.parse(source(file), { ecmaVersion: 2020, sourceType: 'module' }), file).not.toThrow();
    }
    // and the check does catch them
    expect(() => espree.parse('let a; a ??= 1;', { ecmaVersion: 2020, sourceType: 'module' })).toThrow();
  });

  it('calls no DOM or library function newer than Chromium 80', () => {
    for (const file of modules) {
      const tokens = espree.tokenize(source(file), { ecmaVersion: 2020, sourceType: 'module' }); // comments are not tokens
      const used = tokens.filter((token, i) => (token.type === 'Identifier' && TOO_NEW.has(token.value)) || (token.value === 'at' && tokens[i - 1]?.value === '.' && tokens[i + 1]?.value === '('));
      expect(used.map((token) => token.value), file).toEqual([]);
    }
  });

  it('has unsupported.js as a classic ES5 script, which both pages load with nomodule', () => {
    expect(scripts).toContain('unsupported.js');
    expect(() => espree.parse(source('unsupported.js'), { ecmaVersion: 5, sourceType: 'script' })).not.toThrow();
    for (const [page, app] of [
      ['index.html', 'app.js'],
      ['staff.html', 'staff.js'],
    ] as const) {
      const html = source(page);
      expect(html, page).toContain(`<script type="module" src="/kiosk/${app}"></script>`);
      expect(html, page).toContain('<script nomodule defer src="/kiosk/unsupported.js"></script>');
      // the CSP allows no inline script or style
      expect(html.match(/<script\b[^>]*>/g)?.every((tag) => / src="\/kiosk\/[a-z0-9-]+\.js"/.test(tag)), page).toBe(true);
      expect(html, page).not.toMatch(/\sstyle=|<style\b|\son[a-z]+=/i);
    }
  });

  it('replaces an element’s children without replaceChildren', () => {
    class FakeParent {
      readonly nodes: unknown[] = ['old text', { old: 'node' }];
      get firstChild() {
        return this.nodes[0] ?? null;
      }
      removeChild(node: unknown) {
        this.nodes.splice(this.nodes.indexOf(node), 1);
        return node;
      }
      append(...nodes: unknown[]) {
        this.nodes.push(...nodes);
      }
    }
    const parent = new FakeParent();
    const a = { id: 'a' };
    const b = { id: 'b' };
    setChildren(parent as unknown as ParentNode, ...([a, [b, null, 'text'], undefined, false] as unknown as Node[]));
    expect(parent.nodes).toEqual([a, b, 'text']);
    setChildren(parent as unknown as ParentNode);
    expect(parent.nodes).toEqual([]);
  });
});
