/**
 * The second worker process of CAFE_CONCURRENT_DELIVERY (see secondWorker.ts): loads the built app from
 * the folder given as its argument and runs the invocations the host sends over IPC.
 */
import { loadFunctionApp } from './appLoader';
import { invoke } from './invoker';
import { Logger } from './logger';
import type { FromWorker, ToWorker } from './secondWorker';

// Nothing may outlive the host: when the channel closes (the host stopped, or was killed) this ends too.
process.on('disconnect', () => process.exit(0));
// A Ctrl-C or SIGTERM reaches the whole process group; the host drains first and then closes the channel.
process.on('SIGINT', () => undefined);
process.on('SIGTERM', () => undefined);

function send(message: FromWorker): void {
  if (process.connected) process.send?.(message);
}

async function main(): Promise<void> {
  const root = process.argv[2];
  if (!root || !process.send) throw new Error('The worker runs as a child of the local host: worker.js <app folder>');
  const logger = new Logger(process.env.CAFE_LOG_LEVEL ?? 'information', (line) => process.stdout.write(`${line} [second worker, pid ${process.pid}]\n`));
  const app = await loadFunctionApp(root, (level, message) => logger.write(level, 'worker', message));
  app.lock();
  for (const hook of app.registry.hooks.get('appStart') ?? []) await hook({ hookData: {}, appHookData: app.registry.appHookData, functionAppDirectory: root });
  const functions = new Map(app.functions.map((fn) => [fn.name, fn]));
  process.on('message', (message: ToWorker) => {
    if (message.type !== 'invoke') return;
    const fn = functions.get(message.functionName);
    const run = fn ? invoke(app.registry, fn, message.request, logger) : Promise.reject(new Error(`no function ${message.functionName} in the second worker`));
    run.then(
      () => {
        logger.write('debug', message.functionName, `invocation ${message.id} done`);
        send({ type: 'done', id: message.id });
      },
      (error: unknown) => send({ type: 'done', id: message.id, error: error instanceof Error ? error.message : String(error) }),
    );
  });
  send({ type: 'ready', pid: process.pid });
}

main().catch((error: unknown) => {
  const message: FromWorker = { type: 'failed', error: error instanceof Error ? error.message : String(error) };
  if (process.connected && process.send) process.send(message, () => process.exit(1));
  else process.exit(1);
});
