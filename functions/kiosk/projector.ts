import type { TransactionAction } from '@azure/data-tables';
import type { InvocationContext } from '@azure/functions';
import { applyBatched, type Held } from '../../shared/batchedRows';
import { groupBy } from '../../shared/collections';
import type { EventFailure } from '../../shared/consumer';
import type { ServiceDeps } from '../../shared/deps';
import { RowCache } from '../../shared/rowCache';
import { TABLES } from '../../shared/topology';
import { evolve, type KioskEvent, type KioskView } from './projection';
import { boardKey, fromRow, toBoardRow, toRow, viewAt, type ViewRow } from './rows';

/**
 * Folds a batch into the kiosk's views: per order, one decision from its view as this instance last
 * wrote it (or as read, or known absent for a first OrderPlaced), then the view and its board copy in
 * one transaction per bucket for the whole batch.
 */
export function createKioskProjection(deps: ServiceDeps, cache = new RowCache<Held<ViewRow>>()) {
  return async function projectKiosk(events: KioskEvent[], _context: InvocationContext): Promise<EventFailure[]> {
    const client = await deps.table(TABLES.kiosk);
    const byOrder = groupBy(events, (event) => event.orderId);
    const tasks = [...byOrder].map(([orderId, ofOrder]) => ({ key: orderId, ...viewAt(orderId), expectAbsent: ofOrder[0]!.type === 'OrderPlaced' }));
    const outcomes = await applyBatched(client, cache, tasks, (task, row) => {
      const current = row ? fromRow(row, task.key) : undefined;
      const next = byOrder.get(task.key)!.reduce<KioskView | undefined>((view, event) => evolve(view ?? current, event) ?? view, undefined);
      if (!next) return {};
      return { fields: { ...toRow(next) }, companions: [boardCopy(task.partitionKey, task.key, next)] };
    });
    return outcomes.flatMap((o) => (o.error === undefined ? [] : byOrder.get(o.task.key)!.map((event) => ({ eventId: event.id, error: o.error }))));
  };
}

/** The board's copy of a view, written in the view's transaction (same bucket partition). */
export function boardCopy(partitionKey: string, orderId: string, view: KioskView): TransactionAction {
  return ['upsert', { partitionKey, rowKey: boardKey(view.storeId, orderId), orderId, ...toBoardRow(view) }, 'Replace'];
}
