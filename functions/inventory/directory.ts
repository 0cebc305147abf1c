/**
 * The store directory: the ids of the stores whose stock was ever set, sorted, packed into one entity
 * of the inventory table (rows.ts `DIRECTORY_PARTITION`). `GET /inventories` reads it by key, so the
 * listing costs one point read however many reservations the table holds: a key-range query would not
 * (Azurite filters the whole table for every query, and a partition of its own still costs a query).
 *
 * Why one packed entity and not a table of its own: a point read is flat everywhere, nothing new has to
 * be provisioned, backed up, listed or erased beside the inventory table, and a store joins the
 * directory at most once, so the one ETag every first set writes under is rarely contended. Its price
 * is a size cap (`MAX_DIRECTORY_STORES`), far above a cafe chain's stores.
 *
 * Pure: packing, unpacking and joining; the reads and writes are in storeDirectory.ts.
 */

/**
 * A string property holds at most 64 KiB (32,768 UTF-16 characters), so the comma-joined ids are cut
 * into chunks of at most this many characters, one property each (`ids0`, `ids1`, ...); a chunk may
 * end inside an id, the ids are split only after the chunks are joined again.
 */
export const DIRECTORY_CHUNK_CHARS = 30_000;

/**
 * An entity holds at most 1 MiB: 10,000 ids of the longest kind (40 characters and a comma, two bytes
 * each) take 820 KB, which leaves room for the keys and the other properties.
 */
export const MAX_DIRECTORY_STORES = 10_000;

const CHUNK_PROPERTY = /^ids(\d+)$/;

export interface PackedDirectory {
  /** How many ids the chunks hold: a check that no chunk went missing. */
  count: number;
  [chunk: `ids${number}`]: string;
}

/** The properties of the directory entity holding these ids (sorted and unique, as `withStore` keeps them). */
export function packDirectory(ids: readonly string[]): PackedDirectory {
  const joined = ids.join(',');
  const packed: PackedDirectory = { count: ids.length };
  for (let i = 0; i * DIRECTORY_CHUNK_CHARS < joined.length; i++) packed[`ids${i}`] = joined.slice(i * DIRECTORY_CHUNK_CHARS, (i + 1) * DIRECTORY_CHUNK_CHARS);
  return packed;
}

/** The ids a directory entity holds; throws on an entity whose chunks do not add up to its count. */
export function unpackDirectory(entity: Record<string, unknown>): string[] {
  const chunks: string[] = [];
  for (const [name, value] of Object.entries(entity)) {
    const index = CHUNK_PROPERTY.exec(name)?.[1];
    if (index !== undefined && typeof value === 'string') chunks[Number(index)] = value;
  }
  const joined = Array.from(chunks, (chunk) => chunk ?? '').join('');
  const ids = joined === '' ? [] : joined.split(',');
  if (ids.length !== Number(entity.count ?? 0)) throw new Error(`the store directory holds ${ids.length} ids where it says ${String(entity.count)}`);
  return ids;
}

/** The sorted, unique ids with this store among them; undefined when it is already there. */
export function withStore(ids: readonly string[], storeId: string): string[] | undefined {
  const at = sortedIndex(ids, storeId);
  if (ids[at] === storeId) return undefined;
  return [...ids.slice(0, at), storeId, ...ids.slice(at)];
}

/** Where `id` is, or would go, in sorted `ids` (binary search: the directory may hold thousands). */
export function sortedIndex(ids: readonly string[], id: string): number {
  let low = 0;
  let high = ids.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (ids[mid]! < id) low = mid + 1;
    else high = mid;
  }
  return low;
}

/** The ids of the old layout's `~stores` rows, as a directory: sorted, unique. */
export function directoryOf(storeIds: Iterable<string>): string[] {
  return [...new Set(storeIds)].sort();
}
