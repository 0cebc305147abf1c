/** Groups items by a key, keeping their order within each group and the order groups first appear in. */
export function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const group = groups.get(k);
    if (group) group.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}

/** Where `key` is, or would go, in the sorted `keys` (binary search: a list may hold thousands). */
export function sortedIndex(keys: readonly string[], key: string): number {
  let low = 0;
  let high = keys.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (keys[mid]! < key) low = mid + 1;
    else high = mid;
  }
  return low;
}

/** Where the keys after `key` start in the sorted, unique `keys` (their length when there are none). */
export function indexAfter(keys: readonly string[], key: string): number {
  const at = sortedIndex(keys, key);
  return keys[at] === key ? at + 1 : at;
}

/** The items in consecutive slices of at most `size`, in order. */
export function chunksOf<T>(items: readonly T[], size: number): T[][] {
  const result: T[][] = [];
  for (let start = 0; start < items.length; start += size) result.push(items.slice(start, start + size));
  return result;
}
