/**
 * HTTP entity tags for a row a route reads and writes whole (the stock of a store, its settings). The
 * Table ETag changes on every write to the row (for the stock: a set, a restock, a reservation), so it
 * is exactly "the row you read"; it is sent as an opaque strong tag (base64url of the Table ETag, which
 * itself is weak-looking and full of quotes).
 */
export function toHttpEtag(tableEtag: string): string {
  return `"${Buffer.from(tableEtag, 'utf8').toString('base64url')}"`;
}

/**
 * Whether an `If-Match` header allows a write to the row whose current tag is `current` (undefined: no
 * row). `*` asks only that the row exists; otherwise one of the listed tags must equal it by strong
 * comparison, so a weak tag (`W/"…"`) never matches.
 */
export function ifMatchAllows(header: string, current: string | undefined): boolean {
  if (current === undefined) return false;
  const tags = header.split(',').map((tag) => tag.trim()).filter((tag) => tag !== '');
  return tags.some((tag) => tag === '*' || tag === current);
}

/**
 * Whether an `If-None-Match` header names the current tag, so the answer is 304. `*` counts only
 * where the route says so (`wildcard`): a route that always has a representation may take it.
 */
export function ifNoneMatchHits(header: string | null, current: string, { wildcard }: { wildcard: boolean }): boolean {
  return header !== null && header.split(',').some((tag) => tag.trim() === current || (wildcard && tag.trim() === '*'));
}
