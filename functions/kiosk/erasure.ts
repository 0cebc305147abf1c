import type { InvocationContext } from '@azure/functions';
import { applyBatched, type Held } from '../../shared/batchedRows';
import type { EventFailure } from '../../shared/consumer';
import type { ServiceDeps } from '../../shared/deps';
import type { CustomerErased } from '../../shared/events';
import { RowCache } from '../../shared/rowCache';
import { TABLES } from '../../shared/topology';
import { fromRow, toRow, viewAt, type ViewRow } from './rows';

/**
 * Drops the customer id from an order's view, and marks the view erased so it stays dropped (see
 * `evolve`); the store's board holds no customer data (`BoardTile`), so it has nothing to erase.
 * Written like the projection (under the view's ETag, one transaction per bucket), and through the
 * projection's cache when given it, so neither works from a stale view.
 */
export function createKioskErasure(deps: ServiceDeps, cache = new RowCache<Held<ViewRow>>()) {
  return async function eraseFromKiosk(events: CustomerErased[], _context: InvocationContext): Promise<EventFailure[]> {
    const client = await deps.table(TABLES.kiosk);
    const orderIds = [...new Set(events.map((e) => e.orderId))];
    const outcomes = await applyBatched(client, cache, orderIds.map((orderId) => ({ key: orderId, ...viewAt(orderId) })), (task, row) => {
      if (!row) return {};
      const view = fromRow(row, task.key);
      if (view.erased && view.customerId === undefined) return {};
      const { customerId: _erased, ...rest } = view;
      const next = { ...rest, erased: true };
      return { fields: { ...toRow(next) } };
    });
    const failed = new Map(outcomes.filter((o) => o.error !== undefined).map((o) => [o.task.key, o.error]));
    return events.filter((e) => failed.has(e.orderId)).map((e) => ({ eventId: e.id, error: failed.get(e.orderId) }));
  };
}
