#!/usr/bin/env node
// Stages the deployment package in a folder of its own: host.json, package.json (+ lock), the compiled app
// (dist/functions, dist/shared) and the production dependencies only, chosen from package-lock.json (every
// installed package the lock does not mark `dev`). The checkout keeps its dev tools; nothing is downloaded.
// Used by the deploy workflow and by azd (azure.yaml: prepackage hook, `dist`). Run `npm run build` first.
// Usage: node scripts/stage-package.mjs <folder>   (the folder is emptied first)
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = process.argv[2] ? path.resolve(process.argv[2]) : undefined;
if (!out || out === root) {
  console.error('usage: node scripts/stage-package.mjs <folder>  (not the repository itself)');
  process.exit(2);
}

/** Top-level paths under node_modules/ of the production packages (nested ones come with their parent). */
function productionPackages(lock) {
  const paths = Object.entries(lock.packages ?? {})
    .filter(([location, entry]) => location.startsWith('node_modules/') && !entry.dev && !entry.link)
    .map(([location]) => location);
  return paths.filter((p) => !paths.some((other) => other !== p && p.startsWith(`${other}/node_modules/`))).sort();
}

for (const needed of ['dist/functions', 'dist/shared']) {
  if (!existsSync(path.join(root, needed))) {
    console.error(`stage-package: ${needed} is missing: run npm run build first`);
    process.exit(1);
  }
}
const lock = JSON.parse(readFileSync(path.join(root, 'package-lock.json'), 'utf8'));
rmSync(out, { recursive: true, force: true });
mkdirSync(path.join(out, 'dist'), { recursive: true });
for (const file of ['host.json', 'package.json', 'package-lock.json']) cpSync(path.join(root, file), path.join(out, file));
for (const dir of ['functions', 'shared']) cpSync(path.join(root, 'dist', dir), path.join(out, 'dist', dir), { recursive: true });
const packages = productionPackages(lock);
for (const location of packages) {
  const source = path.join(root, location);
  if (!existsSync(source)) {
    console.error(`stage-package: ${location} is in the lock but not installed: run npm ci first`);
    process.exit(1);
  }
  cpSync(source, path.join(out, location), { recursive: true, dereference: true });
}
console.log(`stage-package: ${path.relative(process.cwd(), out) || out}: the app and ${packages.length} production packages`);
