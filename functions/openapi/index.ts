import { createHash } from 'node:crypto';
import { app, type HttpRequest, type HttpResponseInit } from '@azure/functions';
import { ifNoneMatchHits } from '../../shared/etags';
import { withProblems } from '../../shared/http';
import { openApiDocument } from './document';
import { DOCS_STYLE_HASH, renderDocsPage } from './docsPage';

let served: { body: string; etag: string; page: string } | undefined;

/** Built on first use: a cold start of the other routes pays nothing for the documentation. */
function documentation() {
  if (served) return served;
  const body = JSON.stringify(openApiDocument());
  return (served = { body, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`, page: renderDocsPage(openApiDocument()) });
}

const CACHE = { 'cache-control': 'public, max-age=300', 'x-content-type-options': 'nosniff' };

async function getOpenApi(request: HttpRequest): Promise<HttpResponseInit> {
  const { body, etag } = documentation();
  if (ifNoneMatchHits(request.headers.get('if-none-match'), etag, { wildcard: false })) return { status: 304, headers: { ...CACHE, etag } };
  return { status: 200, headers: { 'content-type': 'application/json; charset=utf-8', ...CACHE, etag }, body };
}

async function getDocs(): Promise<HttpResponseInit> {
  return {
    status: 200,
    headers: {
      'content-type': 'text/html; charset=utf-8',
      ...CACHE,
      'content-security-policy': `default-src 'none'; style-src '${DOCS_STYLE_HASH}'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'`,
      'referrer-policy': 'no-referrer',
      'x-frame-options': 'DENY',
    },
    body: documentation().page,
  };
}

app.http('openApiDocument', { methods: ['GET'], route: 'openapi.json', handler: withProblems(getOpenApi) });
app.http('apiDocs', { methods: ['GET'], route: 'docs', handler: withProblems(getDocs) });
