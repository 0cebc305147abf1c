import { describe, expect, it } from 'vitest';
import { PIECE_CHARS } from '../../shared/textPieces';
import { MAX_DIRECTORY_STORES, directoryOf, packDirectory, unpackDirectory, withStore } from '../../functions/inventory/directory';
import { keyPage } from '../../shared/paging';
import { HttpError } from '../../shared/http';
import { chunksOf } from '../../shared/collections';

/** The longest store ids there are: 40 characters of [a-z0-9-]. */
const longId = (i: number) => `store-${String(i).padStart(34, '0')}`;

describe('the packed store directory', () => {
  it('keeps the stores sorted and each once, whatever order they join in', () => {
    let ids: string[] = [];
    for (const id of ['north', 'main', 'south', 'main', 'east']) ids = withStore(ids, id) ?? ids;
    expect(ids).toEqual(['east', 'main', 'north', 'south']);
    expect(withStore(ids, 'north')).toBeUndefined();
  });

  it('unpacks what it packs, an empty directory included', () => {
    expect(unpackDirectory({ ...packDirectory([]) })).toEqual([]);
    expect(unpackDirectory({ ...packDirectory(['a', 'b-2', 'c3']) })).toEqual(['a', 'b-2', 'c3']);
  });

  it('spreads the most stores it holds over properties of at most 64 KiB each, within an entity of 1 MiB', () => {
    const ids = directoryOf(Array.from({ length: MAX_DIRECTORY_STORES }, (_, i) => longId(i)));
    const packed = packDirectory(ids);
    const chunks = Object.entries(packed).filter(([name]) => name.startsWith('ids'));
    expect(chunks.length).toBeGreaterThan(1);
    for (const [, chunk] of chunks) expect(String(chunk).length * 2).toBeLessThanOrEqual(64 * 1024);
    expect(chunks.reduce((bytes, [name, chunk]) => bytes + 2 * (name.length + String(chunk).length), 0)).toBeLessThan(1024 * 1024 - 4096);
    expect(unpackDirectory({ ...packed })).toEqual(ids);
  });

  it('refuses to read a directory with a chunk missing rather than list fewer stores', () => {
    const ids = Array.from({ length: 2_000 }, (_, i) => longId(i));
    const packed: Record<string, unknown> = { ...packDirectory(ids) };
    expect(PIECE_CHARS).toBeLessThan(ids.join(',').length);
    delete packed.ids1;
    expect(() => unpackDirectory(packed)).toThrow(/holds \d+ ids where it says 2000/);
  });
});

describe('paging through a sorted list of keys', () => {
  const keys = ['a', 'b', 'c', 'd', 'e'];

  it('answers every key once, `limit` at a time, with a cursor until the last page', () => {
    const seen: string[][] = [];
    let cursor: string | undefined;
    do {
      const page = keyPage(keys, 2, cursor);
      seen.push(page.keys);
      cursor = page.next;
    } while (cursor);
    expect(seen).toEqual([['a', 'b'], ['c', 'd'], ['e']]);
  });

  it('goes on after the last key answered, so a key added between pages is not answered twice', () => {
    const first = keyPage(keys, 2);
    expect(keyPage(['a', 'aa', 'b', 'bb', 'c'], 2, first.next).keys).toEqual(['bb', 'c']);
  });

  it("refuses a query's continuation token and a cursor it never gave out", () => {
    const oldToken = Buffer.from(JSON.stringify({ nextPartitionKey: '~stores', nextRowKey: 'c' })).toString('base64');
    for (const cursor of [oldToken, 'k_', 'k_!!', 'garbage']) {
      expect(() => keyPage(keys, 2, cursor), cursor).toThrow(HttpError);
    }
  });
});

describe('cutting a list into transactions', () => {
  it('keeps every item once and in order, in slices of at most the size, the last one shorter', () => {
    const items = Array.from({ length: 201 }, (_, i) => i);
    const chunks = chunksOf(items, 99);
    expect(chunks.map((c) => c.length)).toEqual([99, 99, 3]);
    expect(chunks.flat()).toEqual(items);
    expect(chunksOf([], 99)).toEqual([]);
  });
});
