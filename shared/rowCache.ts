/**
 * The rows a consumer instance wrote last, with their ETags, so the next event for the same key
 * skips the read. Safe because every write that uses a cached row is conditional on its ETag: when
 * another instance changed the row (partition ownership moved), the write fails with 412, the entry
 * is dropped and the caller reads afresh. Bounded; the least recently used entries go first.
 */
export class RowCache<T extends { etag: string }> {
  private readonly rows = new Map<string, T>();

  constructor(private readonly capacity = 5_000) {}

  get(key: string): T | undefined {
    const row = this.rows.get(key);
    if (row) {
      this.rows.delete(key);
      this.rows.set(key, row);
    }
    return row;
  }

  set(key: string, row: T): void {
    this.rows.delete(key);
    this.rows.set(key, row);
    if (this.rows.size > this.capacity) this.rows.delete(this.rows.keys().next().value!);
  }

  delete(key: string): void {
    this.rows.delete(key);
  }
}
