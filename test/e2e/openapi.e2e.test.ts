import { describe, expect, it } from 'vitest';
import { sharedLocalHost } from '../support/localHost';

/** The API's own description, as a client gets it from the running local host. */
const shared = sharedLocalHost({ AUTH_MODE: 'local' });

describe('GET /openapi.json', () => {
  it('is served to anyone, cacheable, and describes the routes the host serves', async () => {
    const response = await shared.http.get<{ openapi: string; paths: Record<string, Record<string, unknown>> }>('/openapi.json');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(response.headers.get('cache-control')).toBe('public, max-age=300');
    expect(response.body.openapi).toBe('3.1.0');
    expect(Object.keys(response.body.paths['/orders'] ?? {}).sort()).toEqual(['get', 'post']);

    const etag = response.headers.get('etag')!;
    expect(etag).toMatch(/^"[\w-]+"$/);
    const again = await fetch(`${shared.host.url}/openapi.json`, { headers: { 'if-none-match': etag } });
    expect(again.status).toBe(304);
  });

  it('has a readable page at /docs that needs no script and nothing from elsewhere', async () => {
    const response = await shared.http.get<string>('/docs');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    expect(response.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(response.body).toContain('<code>/orders/{id}/cancel</code>');
    expect(response.body).not.toMatch(/<script|https?:\/\/(?!unmanned\.cafe)[^"<\s]*\.(js|css)/);
  });
});
