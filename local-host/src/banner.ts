import path from 'node:path';
import type { RegisteredFunction } from './functionsCore';
import type { HostConfig } from './hostConfig';
import type { HostedApp } from './hostedApp';
import type { HostStorage } from './hostStorage';
import type { RouteTable } from './routes';

/**
 * What `npm start` prints once it listens: the functions and how each is triggered, where storage and
 * the event log are, the sign-in mode (loudly when nothing is protected), and last the line
 * `Listening on <url>` that scripts and tests wait for.
 */
export function bannerLines(
  root: string,
  url: string,
  routes: RouteTable<RegisteredFunction>,
  config: HostConfig,
  hosted: HostedApp,
  storage: HostStorage,
): string[] {
  const { app, listeners, timers, disabled, secondWorker, concurrentShare } = hosted;
  return [
    '',
    `  Unmanned Cafe local host: ${app.functions.length} functions from ${path.relative(process.cwd(), root) || '.'}`,
    '',
    ...routes.list().map((r) => `    ${[...r.methods].join(',').padEnd(6)} ${url}/${r.template}  (${r.target.name})`),
    ...listeners.map((l) => `    eventHub ${l.consumerGroup.padEnd(13)} ${l.functionName}`),
    ...timers.map((t) => `    timer    ${t.schedule.padEnd(18)} ${t.functionName}`),
    ...disabled.map((fn) => `    disabled ${fn.name} (its events wait in the log)`),
    '',
    `  Storage:    ${storage.description}`,
    `  Event log:  ${path.join(config.dataDir, 'eventhubs')} (${config.partitions} partitions per hub, events kept ${config.retentionHours} h)`,
    ...(secondWorker ? [`  Second worker: pid ${secondWorker.pid} gets ${concurrentShare >= 1 ? 'every batch' : `${Math.round(concurrentShare * 100)} % of the batches`} too (CAFE_CONCURRENT_DELIVERY)`] : []),
    ...authBanner(config.authMode, url),
    '  Stop with Ctrl-C.',
    '',
    `Listening on ${url}`,
  ];
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
