import path from 'node:path';
import { loadFunctionApp, type LoadedApp } from './appLoader';
import { EventHubListener } from './eventHubListener';
import { EventLog } from './eventLog';
import type { RegisteredFunction } from './functionsCore';
import type { HostConfig } from './hostConfig';
import { triggerBindingOf } from './invoker';
import { SecondWorker } from './secondWorker';
import { faultShareOf, isDisabled, readHostJson } from './settings';
import { TimerListener, resolveSettings } from './timers';

/** The loaded app with what runs its triggers: the event log and its consumers, the timers. */
export interface HostedApp {
  app: LoadedApp;
  hostJson: ReturnType<typeof readHostJson>;
  eventLog: EventLog;
  /** CAFE_CONCURRENT_DELIVERY: a second worker process that gets batches too (all, or a share). */
  secondWorker?: SecondWorker;
  concurrentShare: number;
  /** Functions that run, and those disabled with AzureWebJobs.<name>.Disabled (their events wait). */
  enabled: RegisteredFunction[];
  disabled: RegisteredFunction[];
  listeners: EventHubListener[];
  timers: TimerListener[];
}

/** Loads the built app (once the app settings are in the environment) and creates its triggers, not yet started. */
export async function loadHostedApp(root: string, config: HostConfig): Promise<HostedApp> {
  const { settings, logger } = config;
  const app = await loadFunctionApp(root, (level, message) => logger.write(level, 'worker', message));
  app.lock();
  const hostJson = readHostJson(root);
  const eventLog = new EventLog(path.join(config.dataDir, 'eventhubs'), config.partitions, { retentionMs: config.retentionHours * 3_600_000 });
  const concurrentShare = faultShareOf(settings, 'CAFE_CONCURRENT_DELIVERY');
  const deliverTwice = faultShareOf(settings, 'CAFE_DELIVER_TWICE');
  const secondWorker = concurrentShare > 0 ? await SecondWorker.start(root, logger) : undefined;
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
  return { app, hostJson, eventLog, secondWorker, concurrentShare, enabled, disabled, listeners, timers };
}

/** The app's appStart hooks, then its consumers and timers: once the HTTP host is listening. */
export async function startHostedApp(hosted: HostedApp, root: string): Promise<void> {
  const { app } = hosted;
  for (const hook of app.registry.hooks.get('appStart') ?? []) await hook({ hookData: {}, appHookData: app.registry.appHookData, functionAppDirectory: root });
  hosted.listeners.forEach((l) => l.start());
  hosted.timers.forEach((t) => t.start());
}

/** For GET /_eventhubs: per consumer and partition, the last event, the checkpoint and how many wait. */
export async function consumerStatus({ listeners, eventLog }: Pick<HostedApp, 'listeners' | 'eventLog'>) {
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
