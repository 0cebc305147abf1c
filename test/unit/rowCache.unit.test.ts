import { describe, expect, it } from 'vitest';
import { RowCache } from '../../shared/rowCache';

describe('the row cache of a consumer instance', () => {
  it('forgets the least recently used row beyond its capacity', () => {
    const cache = new RowCache<{ etag: string }>(2);
    cache.set('a', { etag: '1' });
    cache.set('b', { etag: '2' });
    cache.get('a');
    cache.set('c', { etag: '3' });
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toEqual({ etag: '1' });
    expect(cache.get('c')).toEqual({ etag: '3' });
  });

  it('drops a row on request, so the next use reads afresh', () => {
    const cache = new RowCache<{ etag: string }>();
    cache.set('a', { etag: '1' });
    cache.delete('a');
    expect(cache.get('a')).toBeUndefined();
  });
});
