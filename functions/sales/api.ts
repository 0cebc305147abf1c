import type { HttpRequest, HttpResponseInit } from '@azure/functions';
import { z } from 'zod';
import type { ServiceDeps } from '../../shared/deps';
import { json, parseWith, queryObject } from '../../shared/http';
import { StoreId } from '../../shared/identifiers';
import { MENU } from '../../shared/menu';
import { createStoreSettingsReader, type StoreSettingsReader } from '../../shared/storeSettings';
import { getOrUndefined } from '../../shared/tables';
import { TABLES } from '../../shared/topology';
import { DAY_ROW, dayPartition, figuresOf, type DayRow } from './rows';
import { NO_FIGURES, type DayFigures } from './sales';

export const SalesQuery = z.strictObject({
  /** The store's local date. */
  date: z.iso.date('A date is YYYY-MM-DD (a real calendar date)'),
});

const Count = z.number().int().min(0);

/** `GET /stores/{storeId}/sales?date=YYYY-MM-DD`: one store's figures for one local day. */
export const SalesReport = z.strictObject({
  storeId: StoreId,
  date: z.iso.date(),
  /** The store's IANA time zone: the day runs from its local midnight to the next. */
  timeZone: z.string(),
  /** Orders placed that day. */
  placed: Count,
  /** Of those, completed (whenever they completed: an order counts on the day it was placed). */
  completed: Count,
  /** Of those, cancelled, in total and per reason (`out-of-cups`, `timed-out`, `customer-cancelled`, ...). */
  cancelled: z.strictObject({ total: Count, byReason: z.record(z.string(), Count) }),
  /** Drinks of the completed orders per menu item; every menu item appears, with 0 when none sold. */
  drinks: z.record(z.string(), Count),
  /** What the completed orders cost at menu prices, in won. */
  revenue: Count,
  currency: z.literal('KRW'),
});
export type SalesReport = z.infer<typeof SalesReport>;

export function salesReport(storeId: string, date: string, timeZone: string, figures: DayFigures): SalesReport {
  return {
    storeId,
    date,
    timeZone,
    placed: figures.placed,
    completed: figures.completed,
    cancelled: { total: figures.cancelled, byReason: { ...figures.cancelledByReason } },
    drinks: { ...Object.fromEntries(MENU.map((m) => [m.id, 0])), ...figures.drinks },
    revenue: figures.revenue,
    currency: 'KRW',
  };
}

export function createSalesApi(deps: ServiceDeps, settings: StoreSettingsReader = createStoreSettingsReader(() => deps.table(TABLES.stores))) {
  return {
    /** A point read of the day's figures: the read model keeps them summed, so a day never needs a scan. */
    async getSales(request: HttpRequest): Promise<HttpResponseInit> {
      const storeId = parseWith(StoreId, request.params.storeId, 'store id');
      const { date } = parseWith(SalesQuery, queryObject(request), 'query');
      const [row, current] = await Promise.all([
        getOrUndefined<DayRow>(await deps.table(TABLES.sales), dayPartition(date, storeId), DAY_ROW),
        settings.get(storeId),
      ]);
      // The zone the day was counted in, if it has orders; the store's present zone otherwise.
      return json(200, salesReport(storeId, date, row?.timeZone ?? current.timeZone, row ? figuresOf(row) : NO_FIGURES));
    },
  };
}
