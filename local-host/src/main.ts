import path from 'node:path';
import { prepareAppSettings } from './appSettings';
import { bannerLines } from './banner';
import { claimDataDir, readHostConfig, type HostConfig } from './hostConfig';
import { consumerStatus, loadHostedApp, startHostedApp, type HostedApp } from './hostedApp';
import { startStorage, type HostStorage } from './hostStorage';
import { createHttpHost, listen } from './httpServer';
import { logLagPeriodically } from './lagLog';
import type { LocalIdentity } from './localIdentity';
import { stopOnSignals } from './stopSequence';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const GRACE_MS = 10_000;

/**
 * `npm start`: settings and the data folder, storage, the app's settings, the app and its triggers,
 * the HTTP host, then the app's hooks and triggers start, the banner, the periodic lag line, and a stop
 * on Ctrl-C or SIGTERM.
 */
async function main(): Promise<void> {
  const config = await readHostConfig(ROOT);
  claimDataDir(config.dataDir);
  const storage = await startStorage(ROOT, config);
  const identity = await prepareAppSettings(config);
  const hosted = await loadHostedApp(ROOT, config);
  const { server, url, routes } = await serveHttp(config, hosted, storage, identity);
  await startHostedApp(hosted, ROOT);
  process.stdout.write(`${bannerLines(ROOT, url, routes, config, hosted, storage).join('\n')}\n`);
  const stopLagLog = logLagPeriodically(hosted, config.logger);
  stopOnSignals({ server, hosted, storage, logger: config.logger, stopLagLog }, GRACE_MS);
}

/** The app's HTTP triggers and the host's own endpoints, listening (not yet the triggers behind them). */
async function serveHttp(config: HostConfig, hosted: HostedApp, storage: HostStorage, identity: LocalIdentity | undefined) {
  const { embedded } = storage;
  const { server, routes } = createHttpHost({
    registry: hosted.app.registry,
    functions: hosted.enabled,
    routePrefix: hosted.hostJson.routePrefix,
    eventLog: hosted.eventLog,
    logger: config.logger,
    consumerStatus: () => consumerStatus(hosted),
    ...(embedded ? { storageStatus: () => embedded.status() } : {}),
    ...(identity ? { identity } : {}),
  });
  await config.releasePort?.();
  const address = await listen(server, config.port, config.host);
  return { server, routes, url: `http://${address.address}:${address.port}` };
}

main().catch((error: unknown) => {
  process.stderr.write(`The local host could not start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
