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
import { sortedIndex } from '../../shared/collections';
import { toPieces, fromPieces } from '../../shared/textPieces';

/**
 * An entity holds at most 1 MiB: 10,000 ids of the longest kind (40 characters and a comma, two bytes
 * each) take 820 KB, which leaves room for the keys and the other properties.
 */
export const MAX_DIRECTORY_STORES = 10_000;

/** The comma-joined ids are cut into pieces `ids0`, `ids1`... (`textPieces.ts`); a piece may end inside an id. */
const chunkName = (i: number) => `ids${i}`;

export interface PackedDirectory {
  /** How many ids the chunks hold: a check that no chunk went missing. */
  count: number;
  [chunk: `ids${number}`]: string;
}

/** The properties of the directory entity holding these ids (sorted and unique, as `withStore` keeps them). */
export function packDirectory(ids: readonly string[]): PackedDirectory {
  return { count: ids.length, ...(ids.length === 0 ? {} : toPieces(ids.join(','), chunkName)) };
}

/** The ids a directory entity holds; throws on an entity whose chunks do not add up to its count. */
export function unpackDirectory(entity: Record<string, unknown>): string[] {
  const joined = fromPieces(entity, chunkName);
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

/** The ids of the old layout's `~stores` rows, as a directory: sorted, unique. */
export function directoryOf(storeIds: Iterable<string>): string[] {
  return [...new Set(storeIds)].sort();
}
