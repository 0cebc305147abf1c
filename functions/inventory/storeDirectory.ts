import type { TableClient } from '@azure/data-tables';
import { StoreId } from '../../shared/identifiers';
import { problem } from '../../shared/http';
import { withConflictRetry } from '../../shared/retry';
import { getOrUndefined, isConflict, isPreconditionFailed, listAll, odata } from '../../shared/tables';
import { MAX_DIRECTORY_STORES, directoryOf, packDirectory, unpackDirectory, withStore } from './directory';
import { DIRECTORY_PARTITION, DIRECTORY_ROW, LEGACY_STORES_PARTITION } from './rows';

/**
 * Reads and writes of the store directory (directory.ts): one entity, read by key, written under its
 * ETag.
 */

interface Directory {
  ids: string[];
  etag: string;
}

/**
 * Concurrent first sets of different stores race for the one entity: each round one of them wins, so
 * the tries allowed are well above the stores a chain opens at once.
 */
const JOIN_ATTEMPTS = 30;

/** The store ids the old layout's `~stores` rows name (one query of that small partition). */
async function legacyStoreIds(client: TableClient): Promise<string[]> {
  const rows = await listAll<object>(client, odata`PartitionKey eq ${LEGACY_STORES_PARTITION}`);
  return rows.map((row) => row.rowKey!).filter((id) => StoreId.safeParse(id).success);
}

/**
 * The directory as stored. Where it is missing (a fresh table, or one the old layout wrote) it is made
 * once from the old layout's `~stores` rows, on the first read or store write that finds it missing:
 * one query of that partition and one create. The create is atomic and the old rows are left in
 * place, so a crash before it changes nothing and the next caller does it again; two callers racing
 * make the same directory, and the one whose create loses (409) reads the winner's.
 */
export async function readDirectory(client: TableClient): Promise<Directory> {
  const stored = await getOrUndefined<Record<string, unknown>>(client, DIRECTORY_PARTITION, DIRECTORY_ROW);
  if (stored) return { ids: unpackDirectory(stored), etag: stored.etag };
  const ids = directoryOf(await legacyStoreIds(client));
  try {
    const created = await client.createEntity({ partitionKey: DIRECTORY_PARTITION, rowKey: DIRECTORY_ROW, ...packDirectory(ids) });
    return { ids, etag: created.etag! };
  } catch (error) {
    if (!isConflict(error)) throw error;
    const winner = await client.getEntity<Record<string, unknown>>(DIRECTORY_PARTITION, DIRECTORY_ROW);
    return { ids: unpackDirectory(winner), etag: winner.etag };
  }
}

/**
 * Adds a store to the directory unless it is there: a write under the ETag read, made again on the
 * fresh entity when another store joined in between (412), so concurrent joins all land.
 */
export async function joinDirectory(client: TableClient, storeId: string): Promise<void> {
  await withConflictRetry(
    async () => {
      const { ids, etag } = await readDirectory(client);
      const next = withStore(ids, storeId);
      if (next === undefined) return;
      if (next.length > MAX_DIRECTORY_STORES) {
        throw problem(507, 'store-directory-full', 'Store directory full', `The inventory lists at most ${MAX_DIRECTORY_STORES} stores; store ${storeId} cannot be added.`);
      }
      await client.updateEntity({ partitionKey: DIRECTORY_PARTITION, rowKey: DIRECTORY_ROW, ...packDirectory(next) }, 'Replace', { etag });
    },
    isPreconditionFailed,
    JOIN_ATTEMPTS,
  );
}

/**
 * Joins the stores listed by the old layout's `~stores` rows that the directory lacks: the version
 * before the directory wrote those rows, and during a rolling deployment an instance of it may still
 * stock a new store after the directory was made. One query of that small partition; run by the
 * hourly timer. Returns how many stores joined.
 */
export async function adoptLegacyStores(client: TableClient): Promise<number> {
  const legacy = await legacyStoreIds(client);
  if (legacy.length === 0) return 0;
  const listed = new Set((await readDirectory(client)).ids);
  const missing = legacy.filter((id) => !listed.has(id));
  // One store that cannot join (a full directory) keeps none of the others out.
  const failures: unknown[] = [];
  for (const storeId of missing) await joinDirectory(client, storeId).catch((error: unknown) => failures.push(error));
  if (failures.length > 0) throw failures[0];
  return missing.length;
}
