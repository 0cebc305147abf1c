import type { Decision } from './stock';

/**
 * The inventory table, one partition per store:
 * - `RK=stock`: the free cups;
 * - `RK=res_<orderId>`: what was decided for an order (reserved, out of stock, then released or
 *   cancelled). Order ids count down, so a batch's orders (placed around the same time) are one short
 *   key range, and older decisions sort after it;
 * - `RK=restock-key_<hash>`: a restock's Idempotency-Key.
 * The stock row and the reservations share the partition, so a decision and the stock change commit
 * in one ETag-guarded transaction.
 * - `RK=archived`: the archive mark, written with every move of reservations to the archive (below) and
 *   every late decision or release about an order over a day old, each conditional on the mark as read
 *   before, so neither acts on rows the other changed after they were read (archive.ts).
 *
 * `PK=~archive~<storeId>` is the store's archive: the reservations of orders over a day old, moved
 * there by the retention timer (archive.ts), so the store's hot partition holds about a day of them
 * however long the retention is.
 *
 * `PK=~directory, RK=stores` is the store directory: the ids of the stores whose stock was ever set,
 * packed into one entity (directory.ts), so `GET /inventories` reads one entity by key instead of
 * querying a table that holds every reservation of every store. Its keys are no store's and hold no
 * reservation (`res_`), so nothing that deletes reservations by key can reach it.
 */
export const DIRECTORY_PARTITION = '~directory';
export const DIRECTORY_ROW = 'stores';
/** Where the retention timer's walk through the stores stopped (`{ after: storeId }`), so any instance's next run goes on from there. */
export const RETENTION_CURSOR_ROW = 'retention-cursor';
/**
 * The old layout's directory, one row per store (`PK=~stores, RK=storeId`), read once to fill the
 * directory where it is missing (storeDirectory.ts) and no longer written.
 */
export const LEGACY_STORES_PARTITION = '~stores';
export const STOCK_ROW = 'stock';
export const RESERVATION_PREFIX = 'res_';
/** Sorts after every reservation key (order ids are a-z0-9), before nothing a store partition holds but them. */
export const RESERVATIONS_END = `${RESERVATION_PREFIX}~`;
export const reservationKey = (orderId: string) => `${RESERVATION_PREFIX}${orderId}`;
export const orderIdOfReservation = (rowKey: string) => rowKey.slice(RESERVATION_PREFIX.length);
export const ARCHIVE_MARK_ROW = 'archived';
export const archivePartition = (storeId: string) => `~archive~${storeId}`;

/** What was decided for one order (`RK=res_<orderId>`, in the store's partition or its archive). */
export interface ReservationRow {
  outcome: Decision;
  cups: number;
  available: number;
  decidedAt: string;
  releasedAt?: string;
}

export interface StockRow {
  cups: number;
  updatedAt: string;
  /**
   * The low-stock mark (stock.ts `LowMark`), written with the cups; absent on rows written before it
   * existed (read as "not low, never crossed").
   */
  low?: boolean;
  crossings?: number;
  announced?: number;
  /** The latest crossing: the cups it left, the threshold then, and when; its StockLow says them. */
  crossedCups?: number;
  crossedThreshold?: number;
  crossedAt?: string;
}
