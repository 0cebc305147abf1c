import type { InvocationContext } from '@azure/functions';
import type { TableClient, TableEntityResult } from '@azure/data-tables';
import { eachEvent, eachOrder, type EventFailure } from '../../shared/consumer';
import type { CustomerErased } from '../../shared/events';
import type { ServiceDeps } from '../../shared/deps';
import { newestFirstKey } from '../../shared/identifiers';
import { getOrUndefined, isConflict, isPreconditionFailed } from '../../shared/tables';
import { TABLES } from '../../shared/topology';
import { withConflictRetry } from '../../shared/retry';
import { RowCache } from '../../shared/rowCache';
import { evolve, type KioskEvent, type KioskView } from './projection';

/**
 * The kiosk table: `PK=orderId, RK=view` answers "how is my order?"; `PK=board_<storeId>,
 * RK=<newest-first time>_<orderId>` lists a store's recent orders for the pickup board.
 */
export const VIEW_ROW = 'view';
export const boardPartition = (storeId: string) => `board_${storeId}`;

export interface ViewRow {
  storeId: string;
  customerId?: string;
  items?: string;
  cups?: number;
  status: KioskView['status'];
  reason?: string;
  readyAt?: string;
  createdAt: string;
  updatedAt: string;
  boardKey: string;
  erased?: boolean;
}

export function fromViewRow(row: TableEntityResult<ViewRow> | ViewRow & { orderId?: string; partitionKey?: string }, orderId: string): KioskView {
  return {
    orderId,
    storeId: row.storeId,
    status: row.status,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    ...(row.customerId ? { customerId: row.customerId } : {}),
    ...(row.items ? { items: JSON.parse(row.items) as KioskView['items'] } : {}),
    ...(row.cups !== undefined ? { cups: row.cups } : {}),
    ...(row.reason ? { reason: row.reason } : {}),
    ...(row.readyAt ? { readyAt: row.readyAt } : {}),
    ...(row.erased ? { erased: true } : {}),
  };
}

function toViewFields(view: KioskView, boardKey: string): ViewRow {
  return {
    storeId: view.storeId,
    status: view.status,
    createdAt: view.createdAt,
    updatedAt: view.updatedAt,
    boardKey,
    ...(view.customerId ? { customerId: view.customerId } : {}),
    ...(view.items ? { items: JSON.stringify(view.items) } : {}),
    ...(view.cups !== undefined ? { cups: view.cups } : {}),
    ...(view.reason ? { reason: view.reason } : {}),
    ...(view.readyAt ? { readyAt: view.readyAt } : {}),
    ...(view.erased ? { erased: true } : {}),
  };
}

/** The pickup board shows a code and a status: its copy keeps no customer id and no items. */
function toBoardFields(view: KioskView, boardKey: string): Omit<ViewRow, 'customerId' | 'items'> {
  const { customerId: _customer, items: _items, ...fields } = toViewFields(view, boardKey);
  return fields;
}

type CachedView = ViewRow & { etag: string };

/**
 * Folds one order's events from a batch into its view: one read (none when this instance wrote the
 * view last) and, if anything changed, two writes.
 */
async function project(client: TableClient, cache: RowCache<CachedView>, orderId: string, events: readonly KioskEvent[]): Promise<void> {
  let wroteBoard = false;
  await withConflictRetry(async () => {
    const row = cache.get(orderId) ?? (await getOrUndefined<ViewRow>(client, orderId, VIEW_ROW));
    const current = row ? fromViewRow(row, orderId) : undefined;
    const next = events.reduce<KioskView | undefined>((view, event) => evolve(view ?? current, event) ?? view, undefined);
    if (!next) {
      // This call copied a view to the board that then lost the race for the view row: copy the
      // winner instead, or the board would keep the loser's status.
      if (wroteBoard && row && current) {
        await client.upsertEntity({ partitionKey: boardPartition(current.storeId), rowKey: row.boardKey, orderId, ...toBoardFields(current, row.boardKey) }, 'Replace');
      }
      return;
    }
    const boardKey = row?.boardKey ?? newestFirstKey(new Date(next.createdAt), orderId);
    const fields = toViewFields(next, boardKey);
    // The board row is a copy for listing and goes first: the view row is the one that decides whether
    // an event was applied, so a failure in between is repaired when the event is retried.
    await client.upsertEntity({ partitionKey: boardPartition(next.storeId), rowKey: boardKey, orderId, ...toBoardFields(next, boardKey) }, 'Replace');
    wroteBoard = true;
    try {
      const written = row
        ? await client.updateEntity({ partitionKey: orderId, rowKey: VIEW_ROW, ...fields }, 'Replace', { etag: row.etag })
        : await client.createEntity({ partitionKey: orderId, rowKey: VIEW_ROW, ...fields });
      if (written.etag) cache.set(orderId, { ...fields, etag: written.etag });
    } catch (error) {
      cache.delete(orderId);
      throw error;
    }
  }, (error) => isPreconditionFailed(error) || isConflict(error));
}

/** Drops the customer id from an order's view and board rows, and marks the view erased so it stays dropped. */
async function eraseCustomer(client: TableClient, orderId: string): Promise<void> {
  await withConflictRetry(async () => {
    const row = await getOrUndefined<ViewRow>(client, orderId, VIEW_ROW);
    if (!row) return;
    const view = fromViewRow(row, orderId);
    if (view.erased && view.customerId === undefined) return;
    const { customerId: _erased, ...rest } = view;
    const next: KioskView = { ...rest, erased: true };
    await client.upsertEntity({ partitionKey: boardPartition(next.storeId), rowKey: row.boardKey, orderId, ...toBoardFields(next, row.boardKey) }, 'Replace');
    await client.updateEntity({ partitionKey: orderId, rowKey: VIEW_ROW, ...toViewFields(next, row.boardKey) }, 'Replace', { etag: row.etag });
  }, isPreconditionFailed);
}

export function createKioskErasure(deps: ServiceDeps) {
  return async function eraseFromKiosk(events: CustomerErased[], _context: InvocationContext): Promise<EventFailure[]> {
    const client = await deps.table(TABLES.kiosk);
    return eachEvent(events, (event) => eraseCustomer(client, event.orderId));
  };
}

export function createKioskProjection(deps: ServiceDeps) {
  const cache = new RowCache<CachedView>();
  return async function projectKiosk(events: KioskEvent[], _context: InvocationContext): Promise<EventFailure[]> {
    const client = await deps.table(TABLES.kiosk);
    return eachOrder(events, (orderId, ofOrder) => project(client, cache, orderId, ofOrder));
  };
}
