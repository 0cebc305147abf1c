import { EVENT_HUB } from '../../shared/topology';
import { localEventLogPublisher } from '../../shared/publisher';
import type { EventSink, EventSource, HubRecord } from './source';

/** The local host's event log (`npm start`): the same endpoints the app's local publisher and replay use. */
export const EVENT_LOG_PATH = '/_eventhubs';
/** The most records the log hands out per request. */
const PAGE = 1000;
/** More partitions than a hub can have (Bicep allows 32): the probe stops at the first missing one anyway. */
const MAX_PARTITIONS = 32;

interface LogRecord {
  sequenceNumber: number;
  enqueuedTimeUtc?: string;
  partitionKey?: string;
  properties?: Record<string, unknown>;
  body: unknown;
}

export interface LocalSourceOptions {
  /** Between two reads that found nothing new. */
  pollMs?: number;
  fetchImpl?: typeof fetch;
}

function recordOf(partition: string, record: LogRecord): HubRecord {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(record.properties ?? {})) headers[name] = String(value);
  return {
    partition,
    offset: String(record.sequenceNumber),
    ...(record.enqueuedTimeUtc ? { timestamp: record.enqueuedTimeUtc } : {}),
    ...(record.partitionKey !== undefined ? { key: record.partitionKey } : {}),
    headers,
    body: record.body,
  };
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
  });

/** Polls every partition of the local hub: `GET /_eventhubs/{hub}/partitions/{id}/messages?from=&to=`. */
export function localSource(baseUrl: string, options: LocalSourceOptions = {}): EventSource {
  const fetchImpl = options.fetchImpl ?? fetch;
  const pollMs = options.pollMs ?? 500;
  const log = `${baseUrl}${EVENT_LOG_PATH}/${EVENT_HUB}`;

  /** The records from `from` on (fewer when the partition ends), or undefined when there is no such partition. */
  async function range(partition: string, from: number, signal: AbortSignal): Promise<LogRecord[] | undefined> {
    const response = await fetchImpl(`${log}/partitions/${partition}/messages?from=${from}&to=${from + PAGE - 1}`, { signal });
    if (response.status === 404) return undefined;
    if (!response.ok) throw new Error(`The local event log answered ${response.status}: ${await response.text()}`);
    return ((await response.json()) as { records: LogRecord[] }).records;
  }

  async function partitions(signal: AbortSignal): Promise<string[]> {
    const found: string[] = [];
    for (let id = 0; id < MAX_PARTITIONS; id++) {
      if ((await range(String(id), 0, signal)) === undefined) break;
      found.push(String(id));
    }
    return found;
  }

  /** The next sequence number of a partition: where a reader of new events only starts. */
  async function end(partition: string, signal: AbortSignal): Promise<number> {
    let next = 0;
    for (;;) {
      const records = (await range(partition, next, signal)) ?? [];
      if (records.length === 0) return next;
      next = records[records.length - 1]!.sequenceNumber + 1;
    }
  }

  return {
    async read(onRecord, { fromBeginning, signal, ready }) {
      try {
        await poll(onRecord, fromBeginning, signal, ready);
      } catch (error) {
        if (!signal.aborted) throw error; // a request cut short by the stop is no failure
      }
    },
  };

  async function poll(onRecord: Parameters<EventSource['read']>[0], fromBeginning: boolean, signal: AbortSignal, ready?: () => void): Promise<void> {
      const next = new Map<string, number>();
      while (!signal.aborted) {
        // A host that has not created the hub yet has no partitions: look again on every round until it has.
        if (next.size === 0) {
          for (const partition of await partitions(signal)) next.set(partition, fromBeginning ? 0 : await end(partition, signal));
          if (next.size > 0) ready?.();
        }
        let read = 0;
        for (const [partition, from] of next) {
          const records = (await range(partition, from, signal)) ?? [];
          for (const record of records) {
            next.set(partition, record.sequenceNumber + 1);
            if (await onRecord(recordOf(partition, record))) return;
          }
          read += records.length;
        }
        if (read === 0) await sleep(pollMs, signal);
      }
  }
}

/** Publishes through the local host's event log, exactly as the app does locally. */
export function localSink(baseUrl: string, fetchImpl: typeof fetch = fetch): EventSink {
  return localEventLogPublisher(`${baseUrl}${EVENT_LOG_PATH}`, fetchImpl);
}
