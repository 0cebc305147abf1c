import type { CafeEvent } from '../../shared/events';

/** One message of the hub, however it was read: its place, its headers (as text) and its raw body. */
export interface HubRecord {
  partition: string;
  offset: string;
  timestamp?: string;
  key?: string;
  headers: Record<string, string>;
  body: unknown;
}

export interface ReadOptions {
  /** From the oldest retained event (true) or only events published from now on (false). */
  fromBeginning: boolean;
  signal: AbortSignal;
  /** Called once the reader knows where it starts in every partition: events published after it are seen. */
  ready?: () => void;
}

/** Calls `onRecord` for each message, in order per partition, until it answers true or the signal aborts. */
export interface EventSource {
  read(onRecord: (record: HubRecord) => boolean | Promise<boolean>, options: ReadOptions): Promise<void>;
}

export interface EventSink {
  publish(events: readonly CafeEvent[]): Promise<void>;
}
