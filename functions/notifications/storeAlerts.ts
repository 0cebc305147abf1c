import type { InvocationContext } from '@azure/functions';
import type { TableEntityResult } from '@azure/data-tables';
import { eachEvent, type EventFailure } from '../../shared/consumer';
import type { ServiceDeps } from '../../shared/deps';
import type { CafeEvent, OrderEvent, StockLow } from '../../shared/events';
import { newestFirstKey } from '../../shared/identifiers';
import { createIfAbsent } from '../../shared/tables';
import { z } from 'zod';
import { TABLES } from '../../shared/topology';

/**
 * Staff-facing notifications about a store itself, not an order: today one per StockLow. They live in
 * the notifications table under `PK=!store_<storeId>`, apart from the customers' (`PK=<hash>`, hex)
 * and the orders' buckets (`PK=~...`), so no customer's or everyone's listing ever shows them;
 * `GET /notifications?storeId=` lists them, newest first. The row key is derived from the event
 * (its crossing's time and id), so a redelivered or re-published StockLow finds its row and adds none.
 */
export const STORE_ALERT_KINDS = ['stock-low'] as const;
export type StoreAlertKind = (typeof STORE_ALERT_KINDS)[number];

export const storeAlertPartition = (storeId: string) => `!store_${storeId}`;

export interface StoreAlertRow {
  eventId: string;
  storeId: string;
  kind: StoreAlertKind;
  cups: number;
  lowStockCups: number;
  message: string;
  messageKo: string;
  createdAt: string;
}

/** The words staff read, in English and Korean. */
export function stockLowMessage(event: StockLow): { message: string; messageKo: string } {
  return {
    message: `Store ${event.storeId} is low on cups: ${event.cups} left (it warns at ${event.lowStockCups} or fewer). Please restock.`,
    messageKo: `${event.storeId} 매장의 컵 재고가 부족합니다: ${event.cups}개 남았습니다 (경고 기준 ${event.lowStockCups}개 이하). 컵을 채워 주세요.`,
  };
}

/** A store notification as `GET /notifications?storeId=` answers it. */
export const StoreAlert = z
  .object({
    id: z.string(),
    storeId: z.string(),
    kind: z.enum(STORE_ALERT_KINDS),
    cups: z.int().min(0),
    lowStockCups: z.int().min(0),
    message: z.string(),
    messageKo: z.string(),
    createdAt: z.iso.datetime(),
  })
  .meta({ id: 'StoreAlert' });

export function fromAlertRow(row: TableEntityResult<StoreAlertRow> | StoreAlertRow): z.infer<typeof StoreAlert> {
  return {
    id: row.eventId,
    storeId: row.storeId,
    kind: row.kind,
    cups: row.cups,
    lowStockCups: row.lowStockCups,
    message: row.message,
    messageKo: row.messageKo,
    createdAt: row.createdAt,
  };
}

export function createStoreAlerts(deps: ServiceDeps) {
  return async function recordStockLow(events: StockLow[], context: InvocationContext): Promise<EventFailure[]> {
    const client = await deps.table(TABLES.notifications);
    return eachEvent(events, async (event) => {
      const row: StoreAlertRow = { eventId: event.id, storeId: event.storeId, kind: 'stock-low', cups: event.cups, lowStockCups: event.lowStockCups, ...stockLowMessage(event), createdAt: event.occurredAt };
      const rowKey = newestFirstKey(new Date(event.occurredAt), event.id);
      if (await createIfAbsent(client, { partitionKey: storeAlertPartition(event.storeId), rowKey, ...row })) {
        context.log(`notified staff of stock-low storeId=${event.storeId} crossing=${event.crossing}`);
      }
    });
  };
}

type Handle<E> = (events: E[], context: InvocationContext) => Promise<EventFailure[]>;

/** Lets the customers' notifier take StockLow too: store events go to the staff's alerts, the rest on. */
export function withStoreAlerts<E extends OrderEvent>(handle: Handle<E>, alerts: Handle<StockLow>): Handle<E | StockLow> {
  return async function handleWithStoreAlerts(events, context) {
    const isStockLow = (e: CafeEvent): e is StockLow => e.type === 'StockLow';
    const stockLows = (events as CafeEvent[]).filter(isStockLow);
    const others = (events as CafeEvent[]).filter((e) => !isStockLow(e)) as E[];
    return [...(others.length > 0 ? await handle(others, context) : []), ...(stockLows.length > 0 ? await alerts(stockLows, context) : [])];
  };
}
