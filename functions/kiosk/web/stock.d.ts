// Types for stock.js (plain JS served to the browser as is), for the TypeScript tests.
import type { Language } from './i18n.js';
export interface Limits { min: number; max: number }
export interface StockRow { storeId: string; cups: number; updatedAt?: string; notSet: boolean; low: boolean }
export const SET_LIMITS: Limits;
export const RESTOCK_LIMITS: Limits;
export function stockRows(stocks: { storeId: string; cups: number; updatedAt?: string }[] | unknown, threshold: number, alsoShow?: string[]): StockRow[];
export function lowStockText(rows: StockRow[]): string;
export function parseStockForm(
  storeIdText: unknown,
  cupsText: unknown,
  limits: Limits,
): { ok: true; storeId: string; cups: number } | { ok: false; field: 'storeId' | 'cups'; key: string; params: Record<string, number> };
export function itemsText(items: { menuItemId: string; quantity: number }[] | undefined, menu: { id: string; name: string; nameKo?: string }[] | unknown, lang: Language): string;
