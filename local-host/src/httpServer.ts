import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { EventLog, IncomingEvent } from './eventLog';
import type { CoreRegistry, RegisteredFunction } from './functionsCore';
import { invoke, triggerBindingOf } from './invoker';
import type { Logger } from './logger';
import { RouteTable } from './routes';
import { LOCAL_TOKEN_PATH, TokenRequest, type LocalIdentity } from './localIdentity';

const MAX_BODY_BYTES = 1024 * 1024;
/** Where the app's local publisher sends events; no app route can start with an underscore segment here. */
export const EVENT_LOG_PATH = '/_eventhubs';
const STORAGE_STATUS_PATH = '/_storage';

function problem(res: ServerResponse, status: number, title: string, detail: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/problem+json; charset=utf-8', ...headers });
  res.end(JSON.stringify({ type: 'about:blank', title, status, detail }));
}

class BodyTooLarge extends Error {}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  // A declared length over the cap is refused before a byte of the body is read.
  if (Number(req.headers['content-length'] ?? 0) > MAX_BODY_BYTES) throw new BodyTooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new BodyTooLarge();
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function bodyBytes(body: unknown): Buffer {
  if (!body || typeof body !== 'object') return Buffer.alloc(0);
  const typed = body as { bytes?: Uint8Array | number[]; string?: string; json?: string };
  if (typed.bytes) return Buffer.from(typed.bytes as Uint8Array);
  if (typed.string !== undefined) return Buffer.from(typed.string);
  if (typed.json !== undefined) return Buffer.from(typed.json);
  return Buffer.alloc(0);
}

export interface HttpHostOptions {
  registry: CoreRegistry;
  functions: RegisteredFunction[];
  routePrefix: string;
  eventLog: EventLog;
  logger: Logger;
  consumerStatus: () => Promise<unknown>;
  /** The embedded storage's journal and round-trip counts, for `GET /_storage` (loopback only). */
  storageStatus?: () => unknown;
  /** AUTH_MODE=local: the host signs tokens at POST /.auth/local/token. */
  identity?: LocalIdentity;
}

/** Serves the app's HTTP triggers with the host's routing rules, plus the local event log's endpoints. */
export function createHttpHost(options: HttpHostOptions): { server: Server; routes: RouteTable<RegisteredFunction> } {
  const routes = new RouteTable<RegisteredFunction>(options.routePrefix);
  for (const fn of options.functions) {
    const [, binding] = triggerBindingOf(fn);
    if (binding.type.toLowerCase() !== 'httptrigger') continue;
    const methods = Array.isArray(binding.methods) ? (binding.methods as string[]) : ['GET', 'POST'];
    routes.add(typeof binding.route === 'string' ? binding.route : fn.name, methods, fn);
  }

  async function publish(req: IncomingMessage, res: ServerResponse, hubName: string): Promise<void> {
    const body = JSON.parse((await readBody(req)).toString('utf8')) as { partitionKey?: string; events?: IncomingEvent[] };
    if (!Array.isArray(body.events) || body.events.length === 0) return problem(res, 400, 'Bad request', 'Send { partitionKey?, events: [{ body, properties? }] }.');
    const hub = await options.eventLog.hub(hubName);
    const records = await hub.publish(body.events, body.partitionKey);
    res.writeHead(201, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ partitionId: hub.partitionFor(body.partitionKey).id, sequenceNumbers: records.map((r) => r.sequenceNumber) }));
  }

  /** A range of one partition, for the operator replay: `?from=&to=` inclusive, at most 1,000 events. */
  async function readMessages(res: ServerResponse, hubName: string, partitionId: string, url: URL): Promise<void> {
    const [from, to] = ['from', 'to'].map((name) => (/^\d{1,15}$/.test(url.searchParams.get(name) ?? '') ? Number(url.searchParams.get(name)) : NaN)) as [number, number];
    if (!(to >= from && to - from < 1000)) {
      return problem(res, 400, 'Bad request', 'Send ?from=&to= (sequence numbers, inclusive, at most 1000 apart).');
    }
    const hub = options.eventLog.hubNames().includes(hubName) ? await options.eventLog.hub(hubName) : undefined;
    const partition = /^\d+$/.test(partitionId) ? hub?.partitions[Number(partitionId)] : undefined;
    if (!partition) return problem(res, 404, 'Not found', `There is no partition ${partitionId} of hub ${hubName}.`);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ partitionId, records: partition.read(from, to - from + 1) }));
  }

  async function issueToken(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!options.identity) return problem(res, 404, 'Not found', 'Sign-in tokens are issued only with AUTH_MODE=local.');
    const parsed = TokenRequest.safeParse(JSON.parse((await readBody(req)).toString('utf8') || '{}'));
    if (!parsed.success) {
      return problem(res, 400, 'Invalid request', `Send { "roles": ["staff"|"operator"], "stores": [...] }: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    }
    const issued = await options.identity.issue(parsed.data);
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
    res.end(JSON.stringify(issued));
  }

  async function serveFunction(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const method = (req.method ?? 'GET').toUpperCase();
    const { route, params } = routes.resolve(url.pathname, method === 'HEAD' ? 'GET' : method);
    // As on Azure, a path served only for other methods is not found (no 405 with Allow).
    if (!route) return problem(res, 404, 'Not found', `No function serves ${method} ${url.pathname}.`);
    const body = method === 'GET' || method === 'HEAD' ? Buffer.alloc(0) : await readBody(req);
    const headers: Record<string, string> = {};
    for (const [key, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers[key] = Array.isArray(value) ? value.join(', ') : value;
    }
    const response = await invoke(
      options.registry,
      route.target,
      {
        triggerData: {
          http: {
            method,
            url: url.toString(),
            headers,
            query: Object.fromEntries(url.searchParams),
            params,
            body: { bytes: new Uint8Array(body) },
          },
        },
      },
      options.logger,
    );
    const http = (response.returnValue as { http?: { statusCode?: string; headers?: Record<string, string>; body?: unknown } } | undefined)?.http;
    const status = Number(http?.statusCode ?? 200);
    const bytes = bodyBytes(http?.body);
    res.writeHead(status, { ...(http?.headers ?? {}), 'content-length': String(bytes.length) });
    res.end(method === 'HEAD' ? undefined : bytes);
  }

  const server = createServer((req, res) => {
    const started = Date.now();
    // A fixed base: the Host header is the client's to choose and must not decide how a path parses.
    const target = req.url ?? '/';
    const url = new URL(`http://localhost${target.startsWith('/') ? '' : '/'}${target}`);
    const hubPath = new RegExp(`^${EVENT_LOG_PATH}/([^/]+)/messages$`).exec(url.pathname);
    const partitionPath = new RegExp(`^${EVENT_LOG_PATH}/([^/]+)/partitions/([^/]+)/messages$`).exec(url.pathname);
    const internal =
      url.pathname === EVENT_LOG_PATH || url.pathname.startsWith(`${EVENT_LOG_PATH}/`) || url.pathname === STORAGE_STATUS_PATH || url.pathname === LOCAL_TOKEN_PATH;
    const work =
      internal && !isLoopback(req.socket.remoteAddress)
        ? Promise.resolve(problem(res, 403, 'Forbidden', 'The local host\'s own endpoints only take requests from this machine.'))
        : url.pathname === LOCAL_TOKEN_PATH && req.method === 'POST'
        ? issueToken(req, res)
        : hubPath && req.method === 'POST'
        ? publish(req, res, decodeURIComponent(hubPath[1]!))
        : url.pathname === STORAGE_STATUS_PATH && req.method === 'GET'
          ? Promise.resolve().then(() => {
              res.writeHead(200, { 'content-type': 'application/json' });
              res.end(JSON.stringify(options.storageStatus?.() ?? {}));
            })
        : partitionPath && req.method === 'GET'
        ? readMessages(res, decodeURIComponent(partitionPath[1]!), decodeURIComponent(partitionPath[2]!), url)
        : url.pathname === EVENT_LOG_PATH && req.method === 'GET'
          ? options.consumerStatus().then((status) => {
              res.writeHead(200, { 'content-type': 'application/json' });
              res.end(JSON.stringify(status));
            })
          : serveFunction(req, res, url);
    work
      .catch((error: unknown) => {
        if (res.headersSent) return void res.destroy();
        if (error instanceof BodyTooLarge) return problem(res, 413, 'Payload too large', `Bodies are limited to ${MAX_BODY_BYTES} bytes.`);
        if (error instanceof SyntaxError) return problem(res, 400, 'Bad request', 'The body is not valid JSON.');
        options.logger.error('host', `${req.method} ${url.pathname} failed: ${error instanceof Error ? error.stack : String(error)}`);
        problem(res, 500, 'Internal error', 'The function host failed to run the request.');
      })
      .finally(() => {
        if (!url.pathname.startsWith(EVENT_LOG_PATH)) {
          options.logger.write('debug', 'http', `${req.method} ${url.pathname}${url.search} -> ${res.statusCode} in ${Date.now() - started} ms`);
        }
      });
  });
  server.keepAliveTimeout = 5_000;
  return { server, routes };
}

function isLoopback(address: string | undefined): boolean {
  return address !== undefined && (/^127\./.test(address) || address === '::1' || /^::ffff:127\./.test(address));
}

export function listen(server: Server, port: number, host: string): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server.address() as AddressInfo);
    });
  });
}
