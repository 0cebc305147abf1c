import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { HttpRequest, HttpResponseInit } from '@azure/functions';
import { notFound } from '../../shared/http';

/** The kiosk's static files ship as they are (no bundler); the build copies them next to this module. */
const WEB_ROOT = path.join(__dirname, 'web');

const PAGES: Record<string, string> = { '': 'index.html', 'index.html': 'index.html', staff: 'staff.html', 'staff.html': 'staff.html' };
const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};
const ASSET = /^[a-z0-9-]+\.(js|css|svg)$/;

const cache = new Map<string, Buffer>();

/**
 * What the pages may do: load only this app's own scripts, styles and images, talk only to this app,
 * never be framed (no clickjacking of the staff forms), and never tell another site which page or
 * order a link came from.
 */
export const PAGE_HEADERS: Record<string, string> = {
  'content-security-policy':
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'",
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};

async function load(file: string): Promise<Buffer | undefined> {
  const hit = cache.get(file);
  if (hit) return hit;
  try {
    const content = await readFile(path.join(WEB_ROOT, file));
    cache.set(file, content);
    return content;
  } catch {
    return undefined;
  }
}

export async function servePage(request: HttpRequest): Promise<HttpResponseInit> {
  const asset = (request.params.asset ?? '').replace(/\/+$/, '');
  const file = PAGES[asset] ?? (ASSET.test(asset) ? asset : undefined);
  const content = file ? await load(file) : undefined;
  if (!file || !content) throw notFound(`There is no kiosk page ${asset}.`);
  const isPage = file.endsWith('.html');
  return {
    status: 200,
    headers: {
      'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream',
      'cache-control': isPage ? 'no-cache' : 'public, max-age=300',
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      ...(isPage ? PAGE_HEADERS : {}),
    },
    body: content,
  };
}
