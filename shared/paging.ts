import type { HttpRequest } from '@azure/functions';
import type { TableClient, TableEntityResult } from '@azure/data-tables';
import { z } from 'zod';
import { indexAfter } from './collections';
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

/** Marks a cursor of `keyPage`, which a continuation token (base64 of JSON, so no `_`) never starts with. */
const KEY_CURSOR = 'k_';

/**
 * One page of a sorted, unique list of keys read whole (a packed directory): the keys after the cursor, at most
 * `limit`. The cursor names the last key answered, so a key added between two pages is answered if it
 * sorts after that one, and none is answered twice. A cursor of another kind (a query's continuation
 * token) is refused.
 */
export function keyPage(keys: readonly string[], limit: number, cursor?: string): { keys: string[]; next?: string } {
  let start = 0;
  if (cursor !== undefined) {
    const after = cursor.startsWith(KEY_CURSOR) ? Buffer.from(cursor.slice(KEY_CURSOR.length), 'base64url').toString('utf8') : '';
    if (after === '' || Buffer.from(after, 'utf8').toString('base64url') !== cursor.slice(KEY_CURSOR.length)) throw badCursor();
    start = indexAfter(keys, after);
  }
  const page = keys.slice(start, start + limit);
  const last = page.at(-1);
  return { keys: page, ...(last !== undefined && start + limit < keys.length ? { next: KEY_CURSOR + Buffer.from(last, 'utf8').toString('base64url') } : {}) };
}

const badCursor = () => problem(400, 'validation', 'Invalid request', 'The cursor is not one this API gave out.', [{ path: 'cursor', message: 'Not a cursor this API gave out' }]);

/** The `Link` header announcing the next page: the same request with `cursor` set. */
export function nextLink(request: HttpRequest, next: string | undefined): Record<string, string> {
  if (!next) return {};
  const url = new URL(request.url);
  url.searchParams.set('cursor', next);
  return { link: `<${url.pathname}${url.search}>; rel="next"` };
}
