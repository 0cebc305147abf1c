import http, { type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from './logger';
import type { StorageJournal } from './storageJournal';
import { applied, footprintOfRead, footprintOfWrites, isWrite, overlaps, writesOf, type Footprint, type RawRequest, type TableWrite } from './tableWrites';

/**
 * The app's table endpoint when the local host runs its own Azurite: a proxy that makes an
 * acknowledged write durable. It forwards every request unchanged and holds every answer until:
 *  - for a write that applied: the write is in the journal, on disk;
 *  - for any answer: every write sent to Azurite before the answer came back, and within what the
 *    request could see (the same entities, or the table it queried), is on disk or known to have
 *    failed. An answer can only reflect such writes, so nothing the app learns (a row, an ETag, a 409
 *    "already exists") rests on a write that a crash could still take away.
 * Writes are journaled in the order their answers arrive; two writes to one entity whose answers could
 * cross were concurrent, and either order is one the app could have seen.
 */
export interface ProxyStats {
  requests: number;
  /** Round trips per table (the table named in the path; for a transaction, the table it writes). */
  byTable: Record<string, number>;
  /** Of those, transactions. */
  transactions: number;
  /** Entities the answers to reads carried, per table: what a scan costs, which Azurite hides. */
  entitiesByTable: Record<string, number>;
  /** Time answers spent waiting for the journal, in ms. */
  heldMs: number;
}

interface Deferred {
  promise: Promise<void>;
  settle(error?: unknown): void;
}

function deferred(): Deferred {
  let settle!: (error?: unknown) => void;
  const promise = new Promise<void>((resolve, reject) => {
    settle = (error) => (error === undefined ? resolve() : reject(error));
  });
  // Failures reach the waiters; the promise itself must not count as unhandled.
  promise.catch(() => undefined);
  return { promise, settle };
}

async function readAll(stream: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function tableOf(url: string, body: Buffer): string {
  const match = /^\/[^/]+\/([^/(?]+)/.exec(url);
  const table = match ? decodeURIComponent(match[1]!) : 'other';
  if (table !== '$batch') return table;
  // A transaction names its table in each operation's request line.
  const inner = /\n(?:POST|PUT|MERGE|PATCH|DELETE) https?:\/\/[^/]+\/[^/]+\/([^/(?\s]+)/.exec(body.toString('latin1'));
  return inner ? decodeURIComponent(inner[1]!) : table;
}

/** How many entities a read's answer carried (a query's `value`, or one for a point read). */
function entitiesIn(answer: { status: number; body: Buffer }): number {
  if (answer.status !== 200) return 0;
  try {
    const parsed = JSON.parse(answer.body.toString('utf8')) as { value?: unknown };
    return Array.isArray(parsed.value) ? parsed.value.length : 1;
  } catch {
    return 0;
  }
}

export interface DurableTableProxy {
  port: number;
  stats: ProxyStats;
  close(): Promise<void>;
}

export async function startDurableTableProxy(options: {
  targetPort: number;
  journal: StorageJournal;
  logger: Logger;
  /** Called when the journal cannot be written: acknowledged state could no longer be kept. */
  onJournalFailure: (error: unknown) => void;
}): Promise<DurableTableProxy> {
  const { targetPort, journal, logger } = options;
  const agent = new http.Agent({ keepAlive: true, maxSockets: 128 });
  const stats: ProxyStats = { requests: 0, byTable: {}, transactions: 0, entitiesByTable: {}, heldMs: 0 };
  /** Writes sent to Azurite whose outcome is not yet on disk (or known to be a failure). */
  const unsettled = new Map<Deferred, Footprint>();

  function forward(req: IncomingMessage, body: Buffer, retried = false): Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer }> {
    return new Promise((resolve, reject) => {
      const upstream = http.request(
        { host: '127.0.0.1', port: targetPort, method: req.method, path: req.url, headers: req.headers, agent },
        (response) => {
          readAll(response).then((bytes) => resolve({ status: response.statusCode ?? 502, headers: response.headers, body: bytes }), reject);
        },
      );
      upstream.on('error', (error: NodeJS.ErrnoException) => {
        // Azurite closed an idle kept-alive connection just as it was reused: the request never
        // reached it, so sending it again on a fresh connection is safe.
        if (!retried && upstream.reusedSocket && error.code === 'ECONNRESET') forward(req, body, true).then(resolve, reject);
        else reject(error);
      });
      upstream.end(body);
    });
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readAll(req);
    const method = (req.method ?? 'GET').toUpperCase();
    const url = req.url ?? '/';
    stats.requests++;
    const table = tableOf(url, body);
    stats.byTable[table] = (stats.byTable[table] ?? 0) + 1;
    if (url.includes('$batch')) stats.transactions++;

    const contentType = req.headers['content-type'];
    const raw: RawRequest = { method, url, body, ...(contentType ? { contentType } : {}) };
    let writes: TableWrite[] = [];
    let mine: Deferred | undefined;
    let footprint: Footprint;
    if (isWrite(method)) {
      // A write the journal could not replay must not happen at all.
      writes = writesOf(raw);
      footprint = footprintOfWrites(writes);
      mine = deferred();
      unsettled.set(mine, footprint);
    } else {
      footprint = footprintOfRead(url);
    }
    let answer: Awaited<ReturnType<typeof forward>>;
    try {
      answer = await forward(req, body);
    } catch (error) {
      // No answer: the write's fate is unknown to the app too, which treats it as failed and retries.
      if (mine) {
        unsettled.delete(mine);
        mine.settle();
      }
      throw error;
    }
    if (method === 'GET') stats.entitiesByTable[table] = (stats.entitiesByTable[table] ?? 0) + entitiesIn(answer);
    const arrived = Date.now();
    const earlier = [...unsettled].filter(([d, theirs]) => d !== mine && overlaps(theirs, footprint)).map(([d]) => d.promise);
    if (mine) {
      try {
        if (writes.length > 0 && applied(raw, answer.status, answer.body)) await journal.append(writes);
        mine.settle();
      } catch (error) {
        mine.settle(error);
        options.onJournalFailure(error);
        throw error;
      } finally {
        unsettled.delete(mine);
      }
    }
    await Promise.all(earlier);
    stats.heldMs += Date.now() - arrived;
    const headers = { ...answer.headers };
    delete headers['transfer-encoding'];
    headers['content-length'] = String(answer.body.length);
    res.writeHead(answer.status, headers);
    res.end(answer.body);
  }

  const server = http.createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      logger.warn('storage', `${req.method} ${req.url} failed in the storage proxy: ${error instanceof Error ? error.message : String(error)}`);
      if (res.headersSent) return void res.destroy();
      res.writeHead(503, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ 'odata.error': { code: 'ServerBusy', message: { lang: 'en-US', value: 'The local storage journal could not take the request.' } } }));
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    stats,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => {
          agent.destroy();
          resolve();
        });
        server.closeIdleConnections();
        // Whatever still holds a connection after the drain is a straggler past the host's grace.
        setTimeout(() => server.closeAllConnections(), 5_000).unref();
      }),
  };
}
