import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { startAzurite, type AzuriteProcess } from '../../local-host/src/azurite';
import { Logger } from '../../local-host/src/logger';

declare module 'vitest' {
  export interface ProvidedContext {
    tablesConnection: string;
  }
}

const ROOT = path.resolve(__dirname, '..', '..');

/**
 * Builds the app once (end-to-end tests run the built local host) and starts one real Azurite, on a
 * free port with its data in a temporary folder, for the integration and end-to-end tests.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const build = spawnSync(process.execPath, [createRequire(path.join(ROOT, 'package.json')).resolve('typescript/bin/tsc'), '-p', path.join(ROOT, 'tsconfig.json')], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  if (build.status !== 0) throw new Error(`The build failed:\n${build.stdout}${build.stderr}`);
  const { copyAssets } = (await import('../../scripts/copy-assets.mjs')) as { copyAssets: () => void };
  copyAssets();

  const location = mkdtempSync(path.join(tmpdir(), 'cafe-test-azurite-'));
  const azurite: AzuriteProcess = await startAzurite(ROOT, location, new Logger('warning'));
  project.provide('tablesConnection', azurite.connectionString);
  return async () => {
    await azurite.stop();
    rmSync(location, { recursive: true, force: true });
  };
}
