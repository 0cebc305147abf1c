import path from 'node:path';
import { loadFunctionApp } from './appLoader';
import { lockDataDir } from './dataLock';
import { freePort } from './azurite';
import { startEmbeddedStorage, type EmbeddedStorage } from './embeddedStorage';
import { EventHubListener } from './eventHubListener';
import { DEFAULT_RETENTION_HOURS, EventLog } from './eventLog';
import { EVENT_LOG_PATH, createHttpHost, listen } from './httpServer';
import { triggerBindingOf } from './invoker';
import { Logger } from './logger';
import { SecondWorker } from './secondWorker';
import { createLocalIdentity, type LocalIdentity } from './localIdentity';
import { faultShareOf, isDisabled, readHostJson, readLocalSettings, retentionHoursOf } from './settings';
import { TimerListener, resolveSettings } from './timers';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const GRACE_MS = 10_000;

async function main(): Promise<void> {
  // func start's order: local.settings.json Values, with the process environment winning.
  const settings: Record<string, string | undefined> = { ...readLocalSettings(ROOT), ...process.env };
  const logger = new Logger(settings.CAFE_LOG_LEVEL ?? 'information');
  const host = settings.HOST ?? '127.0.0.1';
  const port = settings.PORT === '0' ? await freePort(host) : Number(settings.PORT ?? 7071);
  if (!Number.isInteger(port) || port <= 0 || port > 65_535) throw new Error(`PORT must be a TCP port number, not "${settings.PORT}"`);
  const dataDir = path.resolve(ROOT, settings.CAFE_DATA_DIR ?? '.cafe-data');
  const partitions = Number(settings.CAFE_EVENTHUB_PARTITIONS ?? 4);
  const retentionHours = retentionHoursOf(settings, DEFAULT_RETENTION_HOURS);
  const unlock = lockDataDir(dataDir);
  process.once('exit', unlock);

  let embedded: EmbeddedStorage | undefined;
  let storage: string;
  if (process.env.TablesConnection || process.env.TablesConnection__tableServiceUri) {
    storage = process.env.TablesConnection ? 'the configured TablesConnection' : `${process.env.TablesConnection__tableServiceUri} (identity)`;
  } else {
    embedded = await startEmbeddedStorage({ root: ROOT, dataDir, logger, journal: settings.CAFE_STORAGE_JOURNAL !== 'false' });
    settings.TablesConnection = embedded.connectionString;
    delete settings.TablesConnection__tableServiceUri;
    storage = embedded.describe;
  }
  // The app publishes to this host's durable event log instead of an Event Hubs namespace.
  // Reach the log on the address the host listens on (loopback when it listens on every address).
  const reachable = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  settings.EventHubConnection = `LocalEventLog=http://${reachable}:${port}${EVENT_LOG_PATH}`;
  delete settings.EventHubConnection__fullyQualifiedNamespace;
  // AUTH_MODE=local: this host signs the tokens and hands the app only the public key.
  const authMode = settings.AUTH_MODE ?? 'off';
  let identity: LocalIdentity | undefined;
  if (authMode === 'local') {
    identity = await createLocalIdentity(dataDir);
    settings.AUTH_LOCAL_JWKS = identity.jwks;
  }
  for (const [key, value] of Object.entries(settings)) if (value !== undefined) process.env[key] = value;
  for (const key of ['TablesConnection__tableServiceUri', 'EventHubConnection__fullyQualifiedNamespace']) if (settings[key] === undefined) delete process.env[key];

  const app = await loadFunctionApp(ROOT, (level, message) => logger.write(level, 'worker', message));
  app.lock();
  const hostJson = readHostJson(ROOT);
  const eventLog = new EventLog(path.join(dataDir, 'eventhubs'), partitions, { retentionMs: retentionHours * 3_600_000 });
  const concurrentShare = faultShareOf(settings, 'CAFE_CONCURRENT_DELIVERY');
  const deliverTwice = faultShareOf(settings, 'CAFE_DELIVER_TWICE');
  const secondWorker = concurrentShare > 0 ? await SecondWorker.start(ROOT, logger) : undefined;
  const enabled = app.functions.filter((fn) => !isDisabled(settings, fn.name));
  const disabled = app.functions.filter((fn) => isDisabled(settings, fn.name));

  const listeners: EventHubListener[] = [];
  const timers: TimerListener[] = [];
  for (const fn of enabled) {
    const [, binding] = triggerBindingOf(fn);
    const type = binding.type.toLowerCase();
    if (type === 'eventhubtrigger') {
      const hubName = resolveSettings(String(binding.eventHubName), settings, `Function ${fn.name}`);
      listeners.push(new EventHubListener(app.registry, fn, await eventLog.hub(hubName), logger, { maxEventBatchSize: hostJson.maxEventBatchSize, idleWaitMs: 1_000, deliverTwice, secondWorker, concurrentShare }));
    } else if (type === 'timertrigger') {
      timers.push(new TimerListener(app.registry, fn, logger, settings));
    } else if (type !== 'httptrigger') {
      logger.warn('host', `function ${fn.name} has a ${binding.type} trigger, which this local host does not run`);
    }
  }

  async function consumerStatus() {
    return Promise.all(
      listeners.map(async (listener) => {
        const hub = await eventLog.hub(listener.hubName);
        const parts = await Promise.all(
          hub.partitions.map(async (p) => {
            const checkpoint = await hub.readCheckpoint(listener.consumerGroup, p.id);
            return { partitionId: p.id, lastSequenceNumber: p.nextSequence - 1, nextSequenceNumber: checkpoint, pending: p.nextSequence - Math.max(checkpoint, p.firstRetainedSequence()) };
          }),
        );
        return { function: listener.functionName, hub: hub.name, consumerGroup: listener.consumerGroup, pending: parts.reduce((sum, p) => sum + p.pending, 0), partitions: parts };
      }),
    );
  }

  const { server, routes } = createHttpHost({
    registry: app.registry,
    functions: enabled,
    routePrefix: hostJson.routePrefix,
    eventLog,
    logger,
    consumerStatus,
    ...(embedded ? { storageStatus: () => embedded.status() } : {}),
    ...(identity ? { identity } : {}),
  });
  const address = await listen(server, port, host);
  for (const hook of app.registry.hooks.get('appStart') ?? []) await hook({ hookData: {}, appHookData: app.registry.appHookData, functionAppDirectory: ROOT });
  listeners.forEach((l) => l.start());
  timers.forEach((t) => t.start());

  const url = `http://${address.address}:${address.port}`;
  const lines = [
    '',
    `  Unmanned Cafe local host: ${app.functions.length} functions from ${path.relative(process.cwd(), ROOT) || '.'}`,
    '',
    ...routes.list().map((r) => `    ${[...r.methods].join(',').padEnd(6)} ${url}/${r.template}  (${r.target.name})`),
    ...listeners.map((l) => `    eventHub ${l.consumerGroup.padEnd(13)} ${l.functionName}`),
    ...timers.map((t) => `    timer    ${t.schedule.padEnd(18)} ${t.functionName}`),
    ...disabled.map((fn) => `    disabled ${fn.name} (its events wait in the log)`),
    '',
    `  Storage:    ${storage}`,
    `  Event log:  ${path.join(dataDir, 'eventhubs')} (${partitions} partitions per hub, events kept ${retentionHours} h)`,
    ...(secondWorker ? [`  Second worker: pid ${secondWorker.pid} gets ${concurrentShare >= 1 ? 'every batch' : `${Math.round(concurrentShare * 100)} % of the batches`} too (CAFE_CONCURRENT_DELIVERY)`] : []),
    ...authBanner(authMode, url),
    '  Stop with Ctrl-C.',
    '',
    `Listening on ${url}`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) {
      logger.warn('host', 'stopping now');
      process.exit(130);
    }
    stopping = true;
    logger.info('host', `${signal} received; finishing work in flight (Ctrl-C again to stop at once)`);
    // Requests in flight finish (and may still publish) before the consumers and the log stop.
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, GRACE_MS).unref())]);
    server.closeAllConnections();
    await Promise.all([...listeners.map((l) => l.stop(GRACE_MS)), ...timers.map((t) => t.stop(GRACE_MS))]);
    await secondWorker?.stop(GRACE_MS);
    for (const hook of app.registry.hooks.get('appTerminate') ?? []) await hook({ hookData: {}, appHookData: app.registry.appHookData });
    await eventLog.close();
    // Storage goes last: everything above may still be writing until it has stopped.
    await embedded?.stop();
    logger.info('host', 'stopped');
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

function authBanner(mode: string, url: string): string[] {
  if (mode === 'local') {
    return [`  Sign-in:    AUTH_MODE=local: tokens from POST ${url}/.auth/local/token {"roles":["staff"],"stores":["main"]}`];
  }
  if (mode === 'entra') return ['  Sign-in:    AUTH_MODE=entra: Microsoft Entra ID access tokens'];
  return [
    '',
    '  !!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!',
    '  !!  AUTH_MODE=off: NOTHING IS PROTECTED. Anyone who reaches this host may set stock,   !!',
    '  !!  list every order and customer, replay dead letters and erase customers.          !!',
    '  !!  For local development only; AUTH_MODE=local enforces sign-in.                     !!',
    '  !!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!',
  ];
}

main().catch((error: unknown) => {
  process.stderr.write(`The local host could not start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
