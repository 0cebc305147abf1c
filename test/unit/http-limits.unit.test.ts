import { HttpRequest } from '@azure/functions';
import { describe, expect, it } from 'vitest';
import { MAX_BODY_BYTES, withProblems } from '../../shared/http';
import { invocationContext } from '../support/context';

describe('the body size cap', () => {
  it('refuses a declared Content-Length over the cap with 413 before the handler reads anything', async () => {
    let called = false;
    const handler = withProblems(async (request) => {
      called = true;
      await request.text();
      return { status: 200 };
    });
    const big = new HttpRequest({ method: 'POST', url: 'http://localhost/orders', headers: { 'content-length': String(MAX_BODY_BYTES + 1) }, body: { string: '{}' } });
    const response = await handler(big, invocationContext().context);
    expect(response.status).toBe(413);
    expect((response.headers as Record<string, string>)['content-type']).toMatch(/^application\/problem\+json/);
    expect(called).toBe(false);

    const small = new HttpRequest({ method: 'POST', url: 'http://localhost/orders', headers: { 'content-length': '2' }, body: { string: '{}' } });
    expect((await handler(small, invocationContext().context)).status).toBe(200);
    expect(called).toBe(true);
  });
});
