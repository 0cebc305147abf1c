/** The one row per store (partition) that holds the free cups; reservations share the partition. */
export const STOCK_ROW = 'stock';

export interface StockRow {
  cups: number;
  updatedAt: string;
}
