import type { HttpRequest } from '@azure/functions';
import type { TableClient, TableEntityResult } from '@azure/data-tables';
import { z } from 'zod';
import { problem } from './http';

/**
 * `?cursor=` of a listing route: where the previous page stopped, as Table Storage's continuation
 * token (opaque to clients; it names a key, never data they could not read).
 */
export const Cursor = z.string().regex(/^[A-Za-z0-9+/=_-]{1,2048}$/, 'Not a cursor this API gave out').optional();

export interface Page<T> {
  rows: TableEntityResult<T>[];
  /** Where the next page starts; absent on the last page. */
  next?: string;
}

/**
 * One page of a query: at most `limit` entities come back per request, whatever the table holds. A
 * filtered query may answer fewer (even none) and still have a next page: the service stops a page
 * after scanning a bounded share of the table, and the cursor resumes there.
 */
export async function listPage<T extends object>(client: TableClient, filter: string, limit: number, cursor?: string): Promise<Page<T>> {
  const pages = client.listEntities<T>({ queryOptions: { filter } }).byPage({ maxPageSize: limit, ...(cursor ? { continuationToken: cursor } : {}) });
  let first;
  try {
    first = await pages.next();
  } catch (error) {
    if (cursor && error instanceof Error && !('statusCode' in error)) throw badCursor();
    throw error;
  }
  if (first.done || !first.value) return { rows: [] };
  const rows = [...first.value].slice(0, limit);
  const next = first.value.continuationToken;
  return { rows, ...(next ? { next } : {}) };
}

const badCursor = () => problem(400, 'validation', 'Invalid request', 'The cursor is not one this API gave out.', [{ path: 'cursor', message: 'Not a cursor this API gave out' }]);

/** The `Link` header announcing the next page: the same request with `cursor` set. */
export function nextLink(request: HttpRequest, next: string | undefined): Record<string, string> {
  if (!next) return {};
  const url = new URL(request.url);
  url.searchParams.set('cursor', next);
  return { link: `<${url.pathname}${url.search}>; rel="next"` };
}
