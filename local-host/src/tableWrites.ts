/**
 * Reads the Table service REST requests the app sends (through @azure/data-tables) as the writes
 * they make, in a form that can be applied again: every write becomes an unconditional upsert or
 * delete of one entity, or a table create or delete. Applying such a write a second time, or applying
 * a run of them to a state that already holds some of them, ends in the same state, which is what lets
 * the storage journal be replayed from any point at or before the table service's last snapshot.
 */

export type TableWrite =
  | { kind: 'createTable'; table: string }
  | { kind: 'deleteTable'; table: string }
  | { kind: 'upsert'; mode: 'Replace' | 'Merge'; table: string; partitionKey: string; rowKey: string; body: Record<string, unknown> }
  | { kind: 'delete'; table: string; partitionKey: string; rowKey: string };

export interface RawRequest {
  method: string;
  /** The path and query as sent, e.g. `/devstoreaccount1/orders(PartitionKey='a',RowKey='b')`. */
  url: string;
  contentType?: string;
  body: Buffer;
}

const ENTITY = /^\/[^/]+\/([A-Za-z][A-Za-z0-9]*)\(PartitionKey='((?:[^']|'')*)',\s*RowKey='((?:[^']|'')*)'\)$/;
const TABLE_PATH = /^\/[^/]+\/([A-Za-z][A-Za-z0-9]*)$/;
const TABLES_PATH = /^\/[^/]+\/Tables$/i;
const TABLE_BY_NAME = /^\/[^/]+\/Tables\('([^']+)'\)$/i;
const BATCH_PATH = /^\/[^/]+\/\$batch$/;

const unquote = (value: string) => value.replace(/''/g, "'");

function pathOf(url: string): string {
  // Batch parts carry an absolute URL; top-level requests a path. Keys are percent-encoded.
  const path = /^https?:\/\//i.test(url) ? new URL(url).pathname : url.split('?')[0]!;
  return decodeURIComponent(path);
}

function jsonBody(body: Buffer): Record<string, unknown> {
  const text = body.toString('utf8').trim();
  return text === '' ? {} : (JSON.parse(text) as Record<string, unknown>);
}

/** Whether the request can change stored data (everything but reads). */
export function isWrite(method: string): boolean {
  return !['GET', 'HEAD', 'OPTIONS'].includes(method.toUpperCase());
}

/** The writes one non-batch request makes if it succeeds; a batch is read with `batchWrites`. */
export function writesOf(request: RawRequest): TableWrite[] {
  const method = request.method.toUpperCase();
  if (!isWrite(method)) return [];
  const path = pathOf(request.url);
  if (BATCH_PATH.test(path)) return batchWrites(request);
  if (TABLES_PATH.test(path) && method === 'POST') {
    const name = jsonBody(request.body).TableName;
    if (typeof name !== 'string') throw new Error('a table create without a TableName');
    return [{ kind: 'createTable', table: name }];
  }
  const byName = TABLE_BY_NAME.exec(path);
  if (byName && method === 'DELETE') return [{ kind: 'deleteTable', table: byName[1]! }];
  const entity = ENTITY.exec(path);
  if (entity) {
    const [, table, pk, rk] = entity;
    const key = { table: table!, partitionKey: unquote(pk!), rowKey: unquote(rk!) };
    if (method === 'DELETE') return [{ kind: 'delete', ...key }];
    if (method === 'PUT') return [{ kind: 'upsert', mode: 'Replace', ...key, body: jsonBody(request.body) }];
    if (method === 'PATCH' || method === 'MERGE') return [{ kind: 'upsert', mode: 'Merge', ...key, body: jsonBody(request.body) }];
  }
  const table = TABLE_PATH.exec(path);
  if (table && method === 'POST') {
    // An insert: the keys are in the body. Once it succeeded, an upsert of the same body is equivalent.
    const body = jsonBody(request.body);
    if (typeof body.PartitionKey !== 'string' || typeof body.RowKey !== 'string') throw new Error('an insert without keys');
    return [{ kind: 'upsert', mode: 'Replace', table: table[1]!, partitionKey: body.PartitionKey, rowKey: body.RowKey, body }];
  }
  throw new Error(`a ${method} ${path} the storage journal does not understand`);
}

function boundaryOf(contentType: string | undefined): string {
  const match = /boundary=("?)([^";]+)\1/i.exec(contentType ?? '');
  if (!match) throw new Error('a multipart body without a boundary');
  return match[2]!;
}

/** The parts between `--boundary` lines, without the closing one. */
function multipartParts(text: string, boundary: string): string[] {
  const parts = text.split(`--${boundary}`);
  // parts[0] is the preamble; the last is the `--` epilogue.
  return parts.slice(1).filter((part) => !part.startsWith('--'));
}

function splitHead(part: string): { head: string; rest: string } {
  const trimmed = part.replace(/^\r?\n/, '');
  const at = trimmed.search(/\r?\n\r?\n/);
  if (at < 0) return { head: trimmed, rest: '' };
  const gap = /\r?\n\r?\n/.exec(trimmed.slice(at))![0].length;
  return { head: trimmed.slice(0, at), rest: trimmed.slice(at + gap) };
}

function header(head: string, name: string): string | undefined {
  const match = new RegExp(`^${name}:\\s*(.+)$`, 'im').exec(head);
  return match?.[1]?.trim();
}

/** The operations of a `$batch` (one changeset: Table Storage applies it all or nothing). */
export function batchWrites(request: RawRequest): TableWrite[] {
  const text = request.body.toString('utf8');
  const writes: TableWrite[] = [];
  for (const part of multipartParts(text, boundaryOf(request.contentType))) {
    const { head, rest } = splitHead(part);
    const changesetType = header(head, 'content-type');
    if (!changesetType?.toLowerCase().startsWith('multipart/mixed')) continue;
    for (const operation of multipartParts(rest, boundaryOf(changesetType))) {
      const { rest: http } = splitHead(operation);
      const { head: requestHead, rest: body } = splitHead(http);
      const requestLine = /^(\w+)\s+(\S+)\s+HTTP\/1\.1/i.exec(requestHead);
      if (!requestLine) throw new Error('a batch operation without a request line');
      const contentType = header(requestHead, 'content-type');
      writes.push(
        ...writesOf({
          method: requestLine[1]!,
          url: requestLine[2]!,
          ...(contentType ? { contentType } : {}),
          body: Buffer.from(body.replace(/\r?\n$/, ''), 'utf8'),
        }),
      );
    }
  }
  return writes;
}

/** A batch answers 202 even when its changeset failed: the inner statuses say whether it applied. */
export function batchSucceeded(responseBody: Buffer): boolean {
  const statuses = [...responseBody.toString('utf8').matchAll(/^HTTP\/1\.1 (\d{3})/gim)].map((m) => Number(m[1]));
  return statuses.length > 0 && statuses.every((status) => status >= 200 && status < 300);
}

/** Whether a response means the request's writes were applied. */
export function applied(request: RawRequest, status: number, responseBody: Buffer): boolean {
  if (status < 200 || status >= 300) return false;
  return BATCH_PATH.test(pathOf(request.url)) ? batchSucceeded(responseBody) : true;
}

/**
 * What a request can see or change: entities, tables read as a whole (queries), and tables it
 * touches at all. An answer can only reveal writes inside its footprint, so it only waits for those.
 */
export interface Footprint {
  entities: Set<string>;
  wholeTables: Set<string>;
  /** Tables the request names: a table created or deleted meanwhile shows in its answer. */
  tables: Set<string>;
  /** Tables this request creates or deletes (writes only). */
  tableChanges: Set<string>;
}

const SEPARATOR = '\u0000';
const entityKey = (table: string, partitionKey: string, rowKey: string) => [table.toLowerCase(), partitionKey, rowKey].join(SEPARATOR);
const emptyFootprint = (): Footprint => ({ entities: new Set(), wholeTables: new Set(), tables: new Set(), tableChanges: new Set() });

export function footprintOfWrites(writes: readonly TableWrite[]): Footprint {
  const footprint = emptyFootprint();
  for (const write of writes) {
    footprint.tables.add(write.table.toLowerCase());
    if (write.kind === 'createTable' || write.kind === 'deleteTable') footprint.tableChanges.add(write.table.toLowerCase());
    else footprint.entities.add(entityKey(write.table, write.partitionKey, write.rowKey));
  }
  return footprint;
}

/** The footprint of a read: one entity for a point read, the whole table for a query or listing. */
export function footprintOfRead(url: string): Footprint {
  const footprint = emptyFootprint();
  const path = pathOf(url);
  const entity = ENTITY.exec(path);
  if (entity) {
    footprint.entities.add(entityKey(entity[1]!, unquote(entity[2]!), unquote(entity[3]!)));
    footprint.tables.add(entity[1]!.toLowerCase());
    return footprint;
  }
  const table = /^\/[^/]+\/([A-Za-z][A-Za-z0-9]*)(?:\(\))?$/.exec(path);
  if (table) {
    footprint.wholeTables.add(table[1]!.toLowerCase());
    footprint.tables.add(table[1]!.toLowerCase());
  }
  return footprint;
}

/** Whether a write with footprint `write` can show in an answer to a request with footprint `answer`. */
export function overlaps(write: Footprint, answer: Footprint): boolean {
  for (const table of write.tableChanges) if (answer.tables.has(table)) return true;
  for (const entity of write.entities) {
    if (answer.entities.has(entity)) return true;
    if (answer.wholeTables.has(entity.slice(0, entity.indexOf(SEPARATOR)))) return true;
  }
  return false;
}
