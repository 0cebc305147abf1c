// `npm start`: builds the app, then runs the local host (see README: "The local host").
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import path from 'node:path';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);

if (process.env.CAFE_SKIP_BUILD !== 'true') {
  const tsc = require.resolve('typescript/bin/tsc');
  const build = spawnSync(process.execPath, [tsc, '-p', path.join(root, 'tsconfig.json')], { stdio: 'inherit', cwd: root });
  if (build.status !== 0) {
    console.error('The build failed; fix the errors above and run npm start again.');
    process.exit(build.status ?? 1);
  }
  const { copyAssets } = await import('../scripts/copy-assets.mjs');
  copyAssets();
}
await import(pathToFileURL(path.join(root, 'dist', 'local-host', 'src', 'main.js')).href);
