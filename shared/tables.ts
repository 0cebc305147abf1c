import { TableClient, type TableEntityResult, type TransactionAction, odata } from '@azure/data-tables';
import { chunksOf, groupBy } from './collections';
import { config, type TablesConnection } from './config';
import { azureCredential } from './credential';
import type { TableName } from './topology';

export { odata };

function isLoopback(connectionString: string): boolean {
  return /UseDevelopmentStorage=true|TableEndpoint=http:\/\/(127\.0\.0\.1|localhost)/i.test(connectionString);
}

function createClient(connection: TablesConnection, table: TableName): TableClient {
  if (connection.kind === 'connectionString') {
    const cs = connection.connectionString;
    return TableClient.fromConnectionString(cs, table, { allowInsecureConnection: isLoopback(cs) });
  }
  return new TableClient(connection.tableServiceUri, table, azureCredential(connection.clientId));
}

const clients = new Map<TableName, TableClient>();
const created = new Map<TableName, Promise<void>>();

/**
 * A reused client for one of the service tables. The table is created on first use (Bicep creates it
 * in Azure; locally Azurite starts empty), once per process.
 */
export async function table(name: TableName): Promise<TableClient> {
  let client = clients.get(name);
  if (!client) {
    client = createClient(config().tables, name);
    clients.set(name, client);
  }
  let ready = created.get(name);
  if (!ready) {
    ready = client.createTable().catch((error: unknown) => {
      // In Azure the tables are provisioned by Bicep, and an identity with data roles only may be
      // refused the create itself; the table is there, so carry on.
      if (statusOf(error) === 403) return;
      created.delete(name);
      throw error;
    });
    created.set(name, ready);
  }
  await ready;
  return client;
}

export function statusOf(error: unknown): number | undefined {
  if (typeof error === 'object' && error !== null && 'statusCode' in error) {
    const code = (error as { statusCode?: unknown }).statusCode;
    return typeof code === 'number' ? code : undefined;
  }
  return undefined;
}

export const isConflict = (error: unknown) => statusOf(error) === 409;
export const isPreconditionFailed = (error: unknown) => statusOf(error) === 412;
export const isNotFound = (error: unknown) => statusOf(error) === 404;

/** A transaction fails with the status of its first failing operation. */
export function isTransactionConflict(error: unknown): boolean {
  const status = statusOf(error);
  return status === 409 || status === 412;
}

/** What a caller with a deadline passes to a storage call, so an abandoned call is cancelled too. */
export interface CallOptions {
  abortSignal?: AbortSignal;
}

/** Creates an entity unless one with its keys exists; says whether it created it. */
export async function createIfAbsent<E extends { partitionKey: string; rowKey: string }>(client: TableClient, entity: E, options: CallOptions = {}): Promise<boolean> {
  try {
    await client.createEntity(entity, options);
    return true;
  } catch (error) {
    if (isConflict(error)) return false;
    throw error;
  }
}

/** Deletes an entity that may already be gone (a retry, or another instance, got there first). */
export async function deleteIfPresent(client: TableClient, partitionKey: string, rowKey: string, etag?: string): Promise<void> {
  try {
    await client.deleteEntity(partitionKey, rowKey, etag ? { etag } : {});
  } catch (error) {
    if (!isNotFound(error)) throw error;
  }
}

export async function getOrUndefined<T extends object>(
  client: TableClient,
  partitionKey: string,
  rowKey: string,
  options: CallOptions = {},
): Promise<TableEntityResult<T> | undefined> {
  try {
    return await client.getEntity<T>(partitionKey, rowKey, options);
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

export async function listAll<T extends object>(
  client: TableClient,
  filter: string,
  limit = Number.POSITIVE_INFINITY,
): Promise<TableEntityResult<T>[]> {
  const rows: TableEntityResult<T>[] = [];
  // A page asks for no more than the caller takes, so a bounded read is bounded at the service too.
  const pages = client.listEntities<T>({ queryOptions: { filter } }).byPage(Number.isFinite(limit) ? { maxPageSize: Math.min(1000, limit) } : {});
  for await (const page of pages) {
    for (const row of page) {
      rows.push(row);
      if (rows.length >= limit) return rows;
    }
  }
  return rows;
}

/** Table Storage takes at most 100 operations, all of one partition, in one transaction. */
export const MAX_TRANSACTION_OPERATIONS = 100;

/**
 * Submits writes as few transactions as the rules allow: one per partition, split every 100
 * operations. Each transaction is atomic on its own (a chunk that fails leaves the others applied),
 * so callers make every operation idempotent or guard it with an ETag and re-decide on failure. An
 * entity must appear at most once per partition here.
 */
export async function submitByPartition(client: TableClient, actions: readonly TransactionAction[]): Promise<void> {
  const byPartition = groupBy(actions, (action) => String(action[1].partitionKey));
  for (const group of byPartition.values()) {
    for (const chunk of chunksOf(group, MAX_TRANSACTION_OPERATIONS)) await client.submitTransaction(chunk);
  }
}
