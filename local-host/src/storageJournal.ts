import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, rm, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { openDurably, syncDirectory } from './durableFiles';
import { GroupCommit } from './groupCommit';
import type { TableWrite } from './tableWrites';

/**
 * The write-ahead journal of the embedded table service. Azurite keeps acknowledged writes in memory
 * and saves them only now and then, so a crash would lose them; the storage proxy therefore appends
 * every applied write here, and waits for it to be on disk, before the app hears that it succeeded.
 *
 * The journal is a run of numbered segment files of JSON lines (one line per applied request). Appends
 * are group-committed: whatever arrives while a flush is on disk goes out in the next write and fsync.
 * A checkpoint closes the current segment, has Azurite save (durably), and then deletes the closed
 * segments: everything in them was applied before the save began. At start, the segments still on disk
 * are replayed into Azurite before anything else runs (replaying a write that the snapshot already holds
 * changes nothing, see tableWrites.ts).
 */
export interface JournalStats {
  appends: number;
  writes: number;
  fsyncs: number;
  bytes: number;
  checkpoints: number;
}

interface Waiter {
  line: string;
  resolve: () => void;
  reject: (error: unknown) => void;
}

const SEGMENT = /^journal-(\d{8})\.jsonl$/;
const segmentName = (n: number) => `journal-${String(n).padStart(8, '0')}.jsonl`;

export class StorageJournal {
  readonly stats: JournalStats = { appends: 0, writes: 0, fsyncs: 0, bytes: 0, checkpoints: 0 };
  private readonly commits = new GroupCommit<Waiter>((group) => this.writeGroup(group));
  private handle?: FileHandle;
  private closed = false;

  private constructor(
    readonly dir: string,
    private segment: number,
    /** Segments written before the current one and not yet covered by a save. */
    private earlier: string[],
  ) {}

  static async open(dir: string): Promise<StorageJournal> {
    await mkdir(dir, { recursive: true });
    const numbers = (await readdir(dir)).flatMap((name) => {
      const match = SEGMENT.exec(name);
      return match ? [Number(match[1])] : [];
    });
    numbers.sort((a, b) => a - b);
    const last = numbers.at(-1) ?? 0;
    return new StorageJournal(dir, last + 1, numbers.map((n) => path.join(dir, segmentName(n))));
  }

  /** Segments that a save has not covered yet, oldest first (at start: what the last run left). */
  get pendingSegments(): readonly string[] {
    return this.earlier;
  }

  /** The writes in the given segments, in order; a torn last line (a crash mid-append) was never acknowledged. */
  static async read(files: readonly string[]): Promise<TableWrite[]> {
    const writes: TableWrite[] = [];
    for (const file of files) {
      if (!existsSync(file)) continue;
      const lines = (await readFile(file, 'utf8')).split('\n');
      for (const line of lines) {
        if (line.trim() === '') continue;
        try {
          writes.push(...(JSON.parse(line) as { w: TableWrite[] }).w);
        } catch {
          break;
        }
      }
    }
    return writes;
  }

  /** Resolves once the writes are on disk. */
  append(writes: readonly TableWrite[]): Promise<void> {
    if (this.closed) return Promise.reject(new Error('the storage journal is closed'));
    return new Promise<void>((resolve, reject) => {
      this.stats.appends++;
      this.stats.writes += writes.length;
      this.commits.add({ line: `${JSON.stringify({ w: writes })}\n`, resolve, reject });
    });
  }

  private async writeGroup(group: Waiter[]): Promise<void> {
    try {
      if (!this.handle) {
        this.handle = await openDurably(path.join(this.dir, segmentName(this.segment)), 'a');
      }
      const text = group.map((w) => w.line).join('');
      await this.handle.write(text);
      await this.handle.datasync();
      this.stats.fsyncs++;
      this.stats.bytes += Buffer.byteLength(text);
      group.forEach((w) => w.resolve());
    } catch (error) {
      group.forEach((w) => w.reject(error));
    }
  }

  /**
   * Closes the current segment and starts a new one, once what was queued is on disk. Returns every
   * segment now closed: all of their writes were applied to the table service before this returned.
   */
  async rotate(): Promise<string[]> {
    await this.commits.idle();
    // No await from here to the swap: appends arriving meanwhile open the next segment.
    const current = this.handle;
    if (current) {
      this.handle = undefined;
      this.earlier = [...this.earlier, path.join(this.dir, segmentName(this.segment))];
      this.segment++;
      await current.close();
    }
    return [...this.earlier];
  }

  /** Deletes segments a durable save now covers. */
  async drop(files: readonly string[]): Promise<void> {
    for (const file of files) await rm(file, { force: true });
    await syncDirectory(this.dir);
    this.earlier = this.earlier.filter((file) => !files.includes(file));
    this.stats.checkpoints++;
  }

  /** Whether anything was appended since the last rotation. */
  get dirty(): boolean {
    return this.handle !== undefined || this.commits.pending;
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.commits.idle();
    await this.handle?.close();
    this.handle = undefined;
  }
}
