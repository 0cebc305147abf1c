import type { TableClient } from '@azure/data-tables';
import type { InvocationContext } from '@azure/functions';
import { applyBatched, type Held } from '../../shared/batchedRows';
import { groupBy } from '../../shared/collections';
import type { EventFailure } from '../../shared/consumer';
import type { ServiceDeps } from '../../shared/deps';
import { RowCache } from '../../shared/rowCache';
import { getOrUndefined, isTransactionConflict } from '../../shared/tables';
import { pauseAfterConflict } from '../../shared/retry';
import { TABLES } from '../../shared/topology';
import { foldBoard, type BoardTile } from './board';
import { evolve, type KioskEvent, type KioskView } from './projection';
import { boardAt, fromRow, tilesOf, toBoardRow, toRow, viewAt, type BoardRow, type ViewRow } from './rows';

/** A store's board as this instance last read or wrote it; its ETag guards the next write. */
export type HeldBoard = { tiles: readonly BoardTile[]; etag: string };

const BOARD_ATTEMPTS = 8;

/**
 * Folds a batch into the kiosk: per order, one decision from its view as this instance last wrote it
 * (or as read, or known absent for a first OrderPlaced), the views in one transaction per bucket for
 * the whole batch; and, alongside, per store, the batch's events into the store's board entity. The
 * board is folded from the events, not from the views' changes: a batch redelivered after its board
 * write failed finds its views written ("no change") and still brings the board up to date.
 */
export function createKioskProjection(deps: ServiceDeps, cache = new RowCache<Held<ViewRow>>(), boards = new RowCache<HeldBoard>(1_000)) {
  return async function projectKiosk(events: KioskEvent[], _context: InvocationContext): Promise<EventFailure[]> {
    const client = await deps.table(TABLES.kiosk);
    const byOrder = groupBy(events, (event) => event.orderId);
    const byStore = groupBy(events, (event) => event.storeId);
    const tasks = [...byOrder].map(([orderId, ofOrder]) => ({ key: orderId, ...viewAt(orderId), expectAbsent: ofOrder[0]!.type === 'OrderPlaced' }));
    const [outcomes, boardErrors] = await Promise.all([
      applyBatched(client, cache, tasks, (task, row) => {
        const current = row ? fromRow(row, task.key) : undefined;
        const next = byOrder.get(task.key)!.reduce<KioskView | undefined>((view, event) => evolve(view ?? current, event) ?? view, undefined);
        return next ? { fields: { ...toRow(next) } } : {};
      }),
      Promise.all([...byStore].map(([storeId, ofStore]) => updateBoard(client, boards, storeId, ofStore).then(() => undefined, (error: unknown) => [storeId, error] as const))),
    ]);
    const failed = new Map<string, unknown>();
    for (const o of outcomes) if (o.error !== undefined) for (const event of byOrder.get(o.task.key)!) failed.set(event.id, o.error);
    for (const [storeId, error] of boardErrors.filter((e) => e !== undefined)) for (const event of byStore.get(storeId)!) failed.set(event.id, error);
    return [...failed].map(([eventId, error]) => ({ eventId, error }));
  };
}

/**
 * Folds one store's events into its board: from the board as this instance last held it (or as read),
 * written under its ETag (or created); a write that lost a race (412, or 409 on a create) drops the
 * held board, reads it again and folds again, a bounded number of times.
 */
async function updateBoard(client: TableClient, boards: RowCache<HeldBoard>, storeId: string, events: readonly KioskEvent[]): Promise<void> {
  const at = boardAt(storeId);
  for (let attempt = 1; ; attempt++) {
    let held = boards.get(storeId);
    if (!held) {
      const row = await getOrUndefined<BoardRow>(client, at.partitionKey, at.rowKey);
      if (row) boards.set(storeId, (held = { tiles: tilesOf(row), etag: row.etag }));
    }
    const tiles = foldBoard(held?.tiles ?? [], events);
    if (!tiles) return;
    const entity = { ...at, ...toBoardRow(storeId, tiles) };
    try {
      const { etag } = held ? await client.updateEntity(entity, 'Replace', { etag: held.etag }) : await client.createEntity(entity);
      if (etag) boards.set(storeId, { tiles, etag });
      else boards.delete(storeId);
      return;
    } catch (error) {
      boards.delete(storeId);
      if (!isTransactionConflict(error) || attempt >= BOARD_ATTEMPTS) throw error;
      if (attempt >= 2) await pauseAfterConflict(attempt);
    }
  }
}
