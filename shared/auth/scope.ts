import { odata } from '../tables';
import { storeScope, type Caller } from './policy';

/** Table Storage allows 15 comparisons in a filter; a list filters on a few fields besides the stores. */
export const MAX_SCOPED_STORES = 10;

/** An OData clause limiting rows to the caller's stores; undefined for every store, `false` for none. */
export function storesFilter(caller: Caller | undefined): string | undefined | false {
  const scope = caller ? storeScope(caller) : 'all';
  if (scope === 'all') return undefined;
  if (scope.length === 0) return false;
  return `(${scope.map((store) => odata`storeId eq ${store}`).join(' or ')})`;
}

/** Keeps only rows of the caller's stores (for lists read from a partition that is not per store). */
export function inScope<T extends { storeId: string }>(caller: Caller | undefined, rows: readonly T[]): T[] {
  const scope = caller ? storeScope(caller) : 'all';
  return scope === 'all' ? [...rows] : rows.filter((row) => scope.includes(row.storeId));
}
