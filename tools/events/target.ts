/**
 * Where `npm run events` reads and writes: the Event Hubs namespace's Kafka endpoint on Azure, or the event
 * log of the local host (`npm start`) on this machine.
 */
export type EventsTarget =
  | { kind: 'kafka'; fullyQualifiedNamespace: string }
  | { kind: 'local'; baseUrl: string };

export class UsageError extends Error {
  override name = 'UsageError';
}

/** Bare names are Event Hubs namespaces of the public cloud; a name with a dot is taken as the full host name. */
export function fullyQualifiedNamespace(namespace: string): string {
  const trimmed = namespace.trim().replace(/^[a-z]+:\/\//i, '').replace(/[:/].*$/, '');
  if (!/^[a-z0-9][a-z0-9-]{0,49}(\.[a-z0-9-]+)*$/i.test(trimmed)) throw new UsageError(`"${namespace}" is not an Event Hubs namespace name.`);
  return (trimmed.includes('.') ? trimmed : `${trimmed}.servicebus.windows.net`).toLowerCase();
}

const LOOPBACK = /^(127(\.\d{1,3}){3}|localhost|\[::1\])$/i;

/** The local host's event log answers this machine only, so only a loopback URL makes sense. */
export function localBaseUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UsageError(`"${url}" is not a URL.`);
  }
  if (parsed.protocol !== 'http:' || !LOOPBACK.test(parsed.hostname)) {
    throw new UsageError(`The local host's event log is served on a loopback address (http://127.0.0.1:PORT), not ${url}.`);
  }
  return parsed.origin;
}

export interface TargetOptions {
  namespace?: string;
  local?: boolean;
  url?: string;
}

/** `--local` (or no namespace at all) means the local host; otherwise `--namespace` or AZURE_EVENTHUBS_NAMESPACE. */
export function resolveTarget(options: TargetOptions, env: Record<string, string | undefined>): EventsTarget {
  const namespace = options.namespace ?? env.AZURE_EVENTHUBS_NAMESPACE;
  if (options.local || !namespace) {
    return { kind: 'local', baseUrl: localBaseUrl(options.url ?? `http://127.0.0.1:${env.PORT ?? 7071}`) };
  }
  if (options.url) throw new UsageError('--url names the local host; use it with --local, not with a namespace.');
  return { kind: 'kafka', fullyQualifiedNamespace: fullyQualifiedNamespace(namespace) };
}
