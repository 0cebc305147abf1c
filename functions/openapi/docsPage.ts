import { createHash } from 'node:crypto';
import type { oas31 } from 'zod-openapi';

/**
 * The OpenAPI document as one readable HTML page, rendered on the server: no script, no CDN, nothing
 * fetched, so it works offline and under a strict Content-Security-Policy (its one style block is
 * allowed by hash).
 */

const STYLE = `
body { font: 16px/1.5 system-ui, sans-serif; color: #1a1a1a; background: #fff; margin: 0 auto; max-width: 60rem; padding: 1rem; }
h2 { border-top: 1px solid #888; padding-top: 1rem; margin-top: 2rem; }
code, pre { font-family: ui-monospace, monospace; }
pre { background: #f3f3f3; padding: .5rem; overflow: auto; max-height: 20rem; }
table { border-collapse: collapse; margin: .5rem 0; }
th, td { border: 1px solid #888; padding: .25rem .5rem; text-align: left; vertical-align: top; }
.method { font-weight: bold; }
a { color: #0645ad; }
`;

export const DOCS_STYLE_HASH = `sha256-${createHash('sha256').update(STYLE).digest('base64')}`;

const escape = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const json = (value: unknown) => `<pre tabindex="0">${escape(JSON.stringify(value, null, 2))}</pre>`;
const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;

/** `code` spans from the descriptions' backticks; everything else is text. */
const prose = (text: string | undefined) => (text ? escape(text).replace(/`([^`]+)`/g, '<code>$1</code>') : '');

function who(security: oas31.SecurityRequirementObject[] | undefined): string {
  if (!security || security.length === 0) return 'Anyone (no token).';
  if (security.some((s) => Object.keys(s).length === 0)) return 'Anyone for some requests, a bearer token for others (see the description).';
  return 'A bearer token (staff or operator; see the summary).';
}

const anchor = (method: string, path: string) => `${method}-${path.replace(/[^a-z0-9]+/gi, '-').replace(/^-|-$/g, '')}`;

function parameters(list: (oas31.ParameterObject | oas31.ReferenceObject)[] | undefined): string {
  const params = (list ?? []).filter((p): p is oas31.ParameterObject => 'in' in p);
  if (params.length === 0) return '';
  const rows = params
    .map((p) => `<tr><td><code>${escape(p.name)}</code></td><td>${p.in}</td><td>${p.required ? 'yes' : 'no'}</td><td>${prose(p.description)}${p.schema ? json(p.schema) : ''}</td></tr>`)
    .join('');
  return `<table><caption>Parameters</caption><thead><tr><th scope="col">Name</th><th scope="col">In</th><th scope="col">Required</th><th scope="col">Schema</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function content(media: oas31.ContentObject | undefined): string {
  return Object.entries(media ?? {})
    .map(([type, m]) => `<p><code>${escape(type)}</code></p>${m.example !== undefined ? `<p>Example:</p>${json(m.example)}` : ''}`)
    .join('');
}

export function renderDocsPage(doc: oas31.OpenAPIObject): string {
  const operations = Object.entries(doc.paths ?? {}).flatMap(([path, item]) =>
    METHODS.filter((m) => item[m]).map((method) => ({ path, method, op: item[method] as oas31.OperationObject })),
  );
  const toc = operations
    .map(({ path, method, op }) => `<li><a href="#${anchor(method, path)}"><span class="method">${method.toUpperCase()}</span> ${escape(path)}</a>: ${prose(op.summary)}</li>`)
    .join('');
  const sections = operations
    .map(({ path, method, op }) => {
      const body = op.requestBody && 'content' in op.requestBody ? `<h3>Request body</h3>${content(op.requestBody.content)}` : '';
      const responses = Object.entries(op.responses ?? {})
        .map(([status, r]) => ('description' in r ? `<h4>${escape(status)}</h4><p>${prose(r.description)}</p>${content(r.content)}` : ''))
        .join('');
      return `<section aria-labelledby="${anchor(method, path)}"><h2 id="${anchor(method, path)}"><span class="method">${method.toUpperCase()}</span> <code>${escape(path)}</code></h2>
<p>${prose(op.summary)}</p>${op.description ? `<p>${prose(op.description)}</p>` : ''}<p>Who may call: ${who(op.security)}</p>
${parameters(op.parameters)}${body}<h3>Responses</h3>${responses}</section>`;
    })
    .join('\n');
  const schemas = Object.entries(doc.components?.schemas ?? {})
    .map(([name, schema]) => `<h3 id="schema-${escape(name)}">${escape(name)}</h3>${json(schema)}`)
    .join('');
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escape(doc.info.title)} API</title><style>${STYLE}</style></head>
<body>
<header><h1>${escape(doc.info.title)} API <small>${escape(doc.info.version)}</small></h1></header>
<main>
<p>${prose(doc.info.description)}</p>
<p>The machine-readable document: <a href="/openapi.json">/openapi.json</a> (OpenAPI ${escape(doc.openapi)}).</p>
<nav aria-label="Routes"><h2>Routes</h2><ul>${toc}</ul></nav>
${sections}
<section aria-labelledby="schemas"><h2 id="schemas">Schemas</h2>${schemas}</section>
</main>
</body>
</html>
`;
}
