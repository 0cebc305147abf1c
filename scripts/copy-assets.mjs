// Part of `npm run build`: the kiosk's static files ship beside the compiled code, because the
// deployment package holds dist/ and not the sources.
import { cpSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export function copyAssets() {
  const from = path.join(root, 'functions', 'kiosk', 'web');
  const to = path.join(root, 'dist', 'functions', 'kiosk', 'web');
  rmSync(to, { recursive: true, force: true });
  cpSync(from, to, { recursive: true });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) copyAssets();
