import type { Server } from 'node:http';
import type { EventHubListener } from './eventHubListener';
import type { HostedApp } from './hostedApp';
import type { HostStorage } from './hostStorage';
import type { Logger } from './logger';
import type { TimerListener } from './timers';

/** What a stop has to end, in the order of `stopHost`. */
export interface RunningHost {
  server: Server;
  hosted: HostedApp;
  storage: HostStorage;
  logger: Logger;
  /** Ends the periodic consumer lag line (`lagLog.ts`). */
  stopLagLog?: () => void;
}

/**
 * Ctrl-C or SIGTERM stops the host in order (`stopHost`), then exits 0; a second one while that runs
 * exits at once (130).
 */
export function stopOnSignals(running: RunningHost, graceMs: number): void {
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) {
      running.logger.warn('host', 'stopping now');
      process.exit(130);
    }
    stopping = true;
    running.logger.info('host', `${signal} received; finishing work in flight (Ctrl-C again to stop at once)`);
    await stopHost(running, graceMs);
    running.logger.info('host', 'stopped');
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

/**
 * Each step ends something the steps before it may still use: intake first, then the consumers and
 * timers, the second worker they deliver to, the app's appTerminate hooks, the event log, and storage
 * last, since everything above may still be writing until it has stopped.
 */
export async function stopHost({ server, hosted, storage, stopLagLog }: RunningHost, graceMs: number): Promise<void> {
  stopLagLog?.();
  await stopIntake(server, graceMs);
  await drainTriggers(hosted.listeners, hosted.timers, graceMs);
  await hosted.secondWorker?.stop(graceMs);
  await runTerminateHooks(hosted);
  await hosted.eventLog.close();
  await storage.embedded?.stop();
}

/** Requests in flight finish (and may still publish) within the grace period; then the rest are cut. */
async function stopIntake(server: Server, graceMs: number): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, graceMs).unref())]);
  server.closeAllConnections();
}

/** Consumers finish (or checkpoint past) the batch in hand and timers their run, within the grace period. */
async function drainTriggers(listeners: readonly EventHubListener[], timers: readonly TimerListener[], graceMs: number): Promise<void> {
  await Promise.all([...listeners.map((l) => l.stop(graceMs)), ...timers.map((t) => t.stop(graceMs))]);
}

async function runTerminateHooks({ app }: HostedApp): Promise<void> {
  for (const hook of app.registry.hooks.get('appTerminate') ?? []) await hook({ hookData: {}, appHookData: app.registry.appHookData });
}
