/**
 * Group commit for an append-only file: what is added while a group is being written and flushed goes
 * out together in the next group, in arrival order, so a busy file costs one write and one flush per
 * group rather than per append. `writeGroup` settles each item of its group itself (resolve or reject)
 * and does not throw. The event log and the storage journal both write this way.
 */
export class GroupCommit<T> {
  private queue: T[] = [];
  private flushing?: Promise<void>;

  constructor(private readonly writeGroup: (group: T[]) => Promise<void>) {}

  add(item: T): void {
    this.queue.push(item);
    this.flushing ??= this.flush();
  }

  /** Whether something is waiting for the next group. */
  get pending(): boolean {
    return this.queue.length > 0;
  }

  /** Resolves once nothing is queued or being written. */
  async idle(): Promise<void> {
    while (this.flushing) await this.flushing;
  }

  private async flush(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const group = this.queue;
        this.queue = [];
        await this.writeGroup(group);
      }
    } finally {
      this.flushing = undefined;
    }
  }
}
