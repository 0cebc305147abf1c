import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { openDurably } from './durableFiles';
import { GroupCommit } from './groupCommit';

/**
 * A durable, partitioned event log standing in for Event Hubs on one machine. Each partition is an
 * append-only file of JSON lines, flushed to disk before a publish is acknowledged; each consumer
 * group keeps a checkpoint per partition. Events with the same partition key land in the same
 * partition, in order, and are read from the checkpoint on, so nothing published is lost when a
 * consumer is disabled or the host stops. As on Event Hubs, an event is readable only for the hub's
 * retention: reads skip older records (the file keeps them; nothing reads them again).
 */

/** Bicep's `eventHubRetentionDays` default (1 day) in hours; test/infra-consistency keeps the two equal. */
export const DEFAULT_RETENTION_HOURS = 24;

export interface EventLogOptions {
  /** How long an event stays readable after it was enqueued. */
  retentionMs?: number;
  /** The clock retention is measured against (tests move it forward). */
  now?: () => number;
}

export interface LogRecord {
  sequenceNumber: number;
  offset: string;
  enqueuedTimeUtc: string;
  partitionKey?: string;
  properties: Record<string, unknown>;
  body: string;
}

export interface IncomingEvent {
  body: unknown;
  properties?: Record<string, unknown>;
}

interface PendingAppend {
  events: IncomingEvent[];
  partitionKey: string | undefined;
  now: Date;
  resolve: (records: LogRecord[]) => void;
  reject: (error: unknown) => void;
}

class Partition {
  readonly records: LogRecord[] = [];
  private handle?: FileHandle;
  /** The file's length after the last append that reached the disk; unknown until the first. */
  private size?: number;
  private readonly commits = new GroupCommit<PendingAppend>((group) => this.writeGroup(group));
  /** Writes flushed to disk so far (each a group of appends). */
  flushes = 0;
  private waiters: (() => void)[] = [];
  /** Index of the oldest record not yet known to be expired; time only moves forward, so it only grows. */
  private expiredBefore = 0;

  constructor(
    readonly id: string,
    readonly file: string,
    private readonly retentionMs: number,
    private readonly now: () => number,
  ) {}

  async load(): Promise<void> {
    if (!existsSync(this.file)) return;
    const text = await readFile(this.file, 'utf8');
    const lines = text.split('\n');
    let validLength = 0;
    for (const line of lines) {
      if (line.trim() === '') {
        validLength += line.length + 1;
        continue;
      }
      try {
        this.records.push(JSON.parse(line) as LogRecord);
        validLength += Buffer.byteLength(line) + 1;
      } catch {
        break; // a torn last line from a crash mid-write: it was never acknowledged, so drop it
      }
    }
    if (validLength < Buffer.byteLength(text)) {
      const kept = lines.slice(0, this.records.length).join('\n');
      await writeFile(this.file, kept ? `${kept}\n` : '');
    }
  }

  get nextSequence(): number {
    return this.records.length === 0 ? 0 : this.records[this.records.length - 1]!.sequenceNumber + 1;
  }

  /**
   * Appends the events and resolves with their records once they are on disk. Appends are
   * group-committed: those that arrive while a write and flush are under way go out together in the
   * next one, in arrival order, so a busy partition costs one write and one flush per group rather
   * than per publish. A group that fails to reach the disk fails all of its appends, and nothing of
   * it stays in the file.
   */
  append(events: IncomingEvent[], partitionKey: string | undefined, now: Date): Promise<LogRecord[]> {
    return new Promise<LogRecord[]>((resolve, reject) => {
      this.commits.add({ events, partitionKey, now, resolve, reject });
    });
  }

  private async writeGroup(group: PendingAppend[]): Promise<void> {
    let sequence = this.nextSequence;
    const written = group.map(({ events, partitionKey, now }) =>
      events.map((event) => ({
        sequenceNumber: sequence,
        offset: String(sequence++),
        enqueuedTimeUtc: now.toISOString(),
        ...(partitionKey !== undefined ? { partitionKey } : {}),
        properties: event.properties ?? {},
        body: typeof event.body === 'string' ? event.body : JSON.stringify(event.body),
      })),
    );
    let size: number | undefined;
    try {
      if (!this.handle) {
        this.handle = await openDurably(this.file, 'a');
        this.size = undefined;
      }
      // Known after the first append (a stat per append was a noticeable share of the host's work).
      size = this.size ??= (await this.handle.stat()).size;
      const text = written.map((records) => records.map((r) => `${JSON.stringify(r)}\n`).join('')).join('');
      await this.handle.write(text);
      await this.handle.datasync();
      this.flushes++;
      this.size = size + Buffer.byteLength(text);
    } catch (error) {
      // Nothing of a failed append may stay in front of later, acknowledged ones.
      if (size !== undefined) await this.handle?.truncate(size).catch(() => undefined);
      this.size = undefined; // read again from the file next time
      group.forEach((append) => append.reject(error));
      return;
    }
    for (const records of written) this.records.push(...records);
    group.forEach((append, i) => append.resolve(written[i]!));
    const waiters = this.waiters;
    this.waiters = [];
    waiters.forEach((wake) => wake());
  }

  /**
   * The sequence number of the oldest event still within the retention (the next sequence number when
   * every event has expired). Expiry follows the log's order, as Event Hubs drops whole old segments.
   */
  firstRetainedSequence(): number {
    const horizon = this.now() - this.retentionMs;
    while (this.expiredBefore < this.records.length && Date.parse(this.records[this.expiredBefore]!.enqueuedTimeUtc) < horizon) this.expiredBefore++;
    return this.expiredBefore;
  }

  /**
   * Records from a sequence number on, skipping those past the retention: a reader behind it gets the
   * oldest retained event first. Numbers start at 0 and are dense, so a number is an index.
   */
  read(fromSequence: number, max: number): LogRecord[] {
    const start = Math.max(fromSequence, this.firstRetainedSequence());
    return this.records.slice(start, start + max);
  }

  /** Resolves on the next append, after the timeout, or when the signal aborts, whichever is first. */
  waitForAppend(timeoutMs: number, signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        this.waiters = this.waiters.filter((w) => w !== done);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      signal.addEventListener('abort', done, { once: true });
      this.waiters.push(done);
    });
  }

  async close(): Promise<void> {
    await this.commits.idle();
    await this.handle?.close();
    this.handle = undefined;
  }
}

/**
 * A checkpoint slot: fixed-width JSON padded with spaces, the position written twice (at the start and
 * the end), so a slot torn between an old and a new record does not read as either. The second slot
 * starts a disk block later than the first.
 */
const SLOT_BYTES = 128;
const SLOT_STRIDE = 4096;

function slotRecord(nextSequenceNumber: number): Buffer {
  const json = JSON.stringify({ nextSequenceNumber, updatedAt: new Date().toISOString(), check: nextSequenceNumber });
  return Buffer.from(`${json.padEnd(SLOT_BYTES - 1)}\n`, 'utf8');
}

/** The furthest intact slot's position (a file of the earlier format holds one plain record). */
function readSlots(bytes: Buffer): number {
  let best: number | undefined;
  for (const offset of [0, SLOT_STRIDE]) {
    if (offset >= bytes.length) continue;
    const text = bytes.subarray(offset, offset === 0 ? Math.min(bytes.length, SLOT_STRIDE) : bytes.length).toString('utf8').replace(/\0+$/, '').trim();
    try {
      const record = JSON.parse(text) as { nextSequenceNumber?: unknown; check?: unknown };
      const n = record.nextSequenceNumber;
      if (typeof n !== 'number' || ('check' in record && record.check !== n)) continue;
      best = Math.max(best ?? n, n);
    } catch {
      // a torn slot: the other one holds the previous position
    }
  }
  return best ?? 0;
}

export class EventHub {
  readonly partitions: Partition[] = [];
  private readonly checkpointWriters = new Map<string, { handle?: FileHandle; slot: number; tail: Promise<unknown> }>();

  private constructor(readonly name: string, readonly dir: string) {}

  static async open(root: string, name: string, defaultPartitions: number, options: EventLogOptions = {}): Promise<EventHub> {
    if (!/^[a-z0-9][a-z0-9._-]{0,255}$/i.test(name)) throw new Error(`Invalid event hub name "${name}"`);
    const dir = path.join(root, name);
    await mkdir(path.join(dir, 'checkpoints'), { recursive: true });
    const metaFile = path.join(dir, 'hub.json');
    let partitionCount = defaultPartitions;
    if (existsSync(metaFile)) {
      partitionCount = (JSON.parse(await readFile(metaFile, 'utf8')) as { partitionCount: number }).partitionCount;
    } else {
      // As on Event Hubs Standard, the partition count is fixed once the hub exists.
      await writeFile(metaFile, JSON.stringify({ partitionCount }));
    }
    const hub = new EventHub(name, dir);
    for (let i = 0; i < partitionCount; i++) {
      const retentionMs = options.retentionMs ?? DEFAULT_RETENTION_HOURS * 3_600_000;
      const partition = new Partition(String(i), path.join(dir, `partition-${i}.jsonl`), retentionMs, options.now ?? Date.now);
      await partition.load();
      hub.partitions.push(partition);
    }
    return hub;
  }

  partitionFor(partitionKey: string | undefined): Partition {
    if (partitionKey === undefined) {
      return this.partitions.reduce((a, b) => (b.records.length < a.records.length ? b : a));
    }
    const hash = createHash('sha256').update(partitionKey).digest().readUInt32BE(0);
    return this.partitions[hash % this.partitions.length]!;
  }

  async publish(events: IncomingEvent[], partitionKey?: string, now = new Date()): Promise<LogRecord[]> {
    return this.partitionFor(partitionKey).append(events, partitionKey, now);
  }

  private checkpointFile(consumerGroup: string, partitionId: string): string {
    return path.join(this.dir, 'checkpoints', encodeURIComponent(consumerGroup), `${partitionId}.json`);
  }

  /** The next sequence number the group will read; a group without a checkpoint starts at the beginning. */
  async readCheckpoint(consumerGroup: string, partitionId: string): Promise<number> {
    const file = this.checkpointFile(consumerGroup, partitionId);
    if (!existsSync(file)) return 0;
    return readSlots(await readFile(file));
  }

  /**
   * Durably records the group's position. A checkpoint is written after every batch of every group and
   * partition, so it is overwritten in place in a file kept open (a write and a flush) rather than
   * written to a new file and renamed over the old one (five file operations, most of the event log's
   * cost under load). The file has two slots in different disk blocks, written in turn, so a write torn
   * by a power cut spoils at most the slot being written; the reader takes the furthest intact one (a
   * checkpoint only moves forward), and at worst the last batch is delivered again.
   */
  writeCheckpoint(consumerGroup: string, partitionId: string, nextSequenceNumber: number): Promise<void> {
    const file = this.checkpointFile(consumerGroup, partitionId);
    let writer = this.checkpointWriters.get(file);
    if (!writer) this.checkpointWriters.set(file, (writer = { tail: Promise.resolve(), slot: 0 }));
    const state = writer;
    const run = state.tail.then(async () => {
      if (!state.handle) {
        await mkdir(path.dirname(file), { recursive: true });
        state.handle = await openDurably(file, 'r+', 'w+');
      }
      await state.handle.write(slotRecord(nextSequenceNumber), 0, SLOT_BYTES, state.slot * SLOT_STRIDE);
      await state.handle.datasync();
      state.slot = 1 - state.slot;
    });
    state.tail = run.catch(() => undefined);
    return run;
  }

  async close(): Promise<void> {
    await Promise.all(this.partitions.map((p) => p.close()));
    for (const writer of this.checkpointWriters.values()) {
      await writer.tail;
      await writer.handle?.close();
    }
    this.checkpointWriters.clear();
  }
}

export class EventLog {
  private readonly hubs = new Map<string, Promise<EventHub>>();

  constructor(readonly root: string, readonly defaultPartitions: number, private readonly options: EventLogOptions = {}) {}

  hub(name: string): Promise<EventHub> {
    let hub = this.hubs.get(name);
    if (!hub) {
      hub = EventHub.open(this.root, name, this.defaultPartitions, this.options);
      this.hubs.set(name, hub);
    }
    return hub;
  }

  hubNames(): string[] {
    return [...this.hubs.keys()];
  }

  async close(): Promise<void> {
    for (const hub of this.hubs.values()) await (await hub).close();
  }
}
