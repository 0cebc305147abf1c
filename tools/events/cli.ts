import { parseArgs } from 'node:util';
import { InvalidInputError, parseEvents } from './publishInput';
import { defaultGroupId } from './kafkaConfig';
import { localSink, localSource } from './localTransport';
import type { EventSink, EventSource } from './source';
import { createTail } from './tail';
import { resolveTarget, UsageError, type EventsTarget } from './target';

export const USAGE = `Usage:
  npm run events -- tail    [--namespace NS | --local [--url URL]] [--from-beginning] [--order ID]
                            [--until TYPE[,TYPE...]] [--max N] [--timeout SECONDS] [--group ID] [--json]
  npm run events -- publish [--namespace NS | --local [--url URL]] [--event JSON | --file PATH]   (else stdin)

On Azure (--namespace, or AZURE_EVENTHUBS_NAMESPACE) it reads and writes the hub cafe-events through the
namespace's Kafka endpoint (port 9093, SASL OAUTHBEARER with an Entra ID token from DefaultAzureCredential).
Without a namespace, or with --local, it uses the event log of the local host (npm start) at --url
(default http://127.0.0.1:$PORT, PORT defaulting to 7071).
Exit codes: 0 done; 1 --until types not all seen, or a failure; 2 bad usage or input.`;

export interface CliDeps {
  env: Record<string, string | undefined>;
  out(line: string): void;
  err(line: string): void;
  readStdin(): Promise<string>;
  readFile(path: string): Promise<string>;
  kafka(fullyQualifiedNamespace: string): { source(groupId: string): EventSource; sink(): EventSink };
  /** Ends a tail from outside (Ctrl-C). */
  signal?: AbortSignal;
  random(): string;
}

const OPTIONS = {
  namespace: { type: 'string' },
  local: { type: 'boolean' },
  url: { type: 'string' },
  'from-beginning': { type: 'boolean' },
  order: { type: 'string' },
  until: { type: 'string' },
  max: { type: 'string' },
  timeout: { type: 'string' },
  group: { type: 'string' },
  json: { type: 'boolean' },
  event: { type: 'string' },
  file: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

function positiveNumber(name: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new UsageError(`--${name} must be a positive number, not "${raw}".`);
  return value;
}

function endpoints(target: EventsTarget, deps: CliDeps): { source(groupId: string): EventSource; sink(): EventSink } {
  if (target.kind === 'kafka') return deps.kafka(target.fullyQualifiedNamespace);
  return { source: () => localSource(target.baseUrl), sink: () => localSink(target.baseUrl) };
}

const describe = (target: EventsTarget) =>
  target.kind === 'kafka' ? `${target.fullyQualifiedNamespace}:9093 (Kafka, OAUTHBEARER)` : `${target.baseUrl} (local event log)`;

/** `npm run events -- <tail|publish> ...`; answers the exit code. */
export async function runEvents(argv: readonly string[], deps: CliDeps): Promise<number> {
  try {
    const { values, positionals } = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true });
    const command = positionals[0];
    if (values.help || command === undefined) {
      deps.out(USAGE);
      return values.help ? 0 : 2;
    }
    if (positionals.length > 1 || (command !== 'tail' && command !== 'publish')) throw new UsageError(`Unknown command "${positionals.join(' ')}".`);
    const target = resolveTarget({ ...(values.namespace !== undefined ? { namespace: values.namespace } : {}), local: values.local === true, ...(values.url !== undefined ? { url: values.url } : {}) }, deps.env);
    const endpoint = endpoints(target, deps);

    if (command === 'publish') {
      if (values.event !== undefined && values.file !== undefined) throw new UsageError('Give --event or --file, not both.');
      const text = values.event ?? (values.file !== undefined ? await deps.readFile(values.file) : await deps.readStdin());
      const events = parseEvents(text);
      await endpoint.sink().publish(events);
      deps.err(`published ${events.length} event(s) to ${describe(target)}`);
      return 0;
    }

    const until = values.until?.split(',').map((t) => t.trim()).filter((t) => t !== '');
    const max = positiveNumber('max', values.max);
    const timeout = positiveNumber('timeout', values.timeout);
    const tail = createTail(
      { ...(values.order !== undefined ? { orderId: values.order } : {}), ...(until ? { until } : {}), ...(max !== undefined ? { max } : {}), json: values.json === true },
      { out: deps.out, warn: deps.err },
    );
    const signals = [deps.signal, timeout !== undefined ? AbortSignal.timeout(timeout * 1000) : undefined].filter((s): s is AbortSignal => s !== undefined);
    const signal = signals.length > 0 ? AbortSignal.any(signals) : new AbortController().signal;
    deps.err(`tail: reading ${describe(target)}${values['from-beginning'] ? ' from the oldest retained event' : ' from now on'}`);
    await endpoint.source(values.group ?? defaultGroupId(deps.random)).read((record) => tail.take(record), {
      fromBeginning: values['from-beginning'] === true,
      signal,
      ready: () => deps.err('tail: ready'),
    });
    const missing = tail.missing();
    deps.err(`tail: ${tail.count()} event(s)${missing.length > 0 ? `; never saw ${missing.join(', ')}` : ''}`);
    return missing.length > 0 ? 1 : 0;
  } catch (error) {
    if (error instanceof UsageError || error instanceof InvalidInputError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      deps.err(`events: ${(error as Error).message}`);
      return 2;
    }
    deps.err(`events: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}
