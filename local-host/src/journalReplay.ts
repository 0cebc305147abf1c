import { TableClient, TableServiceClient, type TableEntity } from '@azure/data-tables';
import type { TableWrite } from './tableWrites';

const status = (error: unknown) => (error as { statusCode?: number } | undefined)?.statusCode;

/**
 * A journaled entity body as the SDK takes it: `name@odata.type` annotations become `{ value, type }`
 * pairs, so the replayed row has the same property types as the original (Int64, DateTime, ...).
 */
export function entityOf(write: Extract<TableWrite, { kind: 'upsert' }>): TableEntity {
  const entity: TableEntity = { partitionKey: write.partitionKey, rowKey: write.rowKey };
  const body = write.body;
  for (const [name, value] of Object.entries(body)) {
    if (name === 'PartitionKey' || name === 'RowKey' || name === 'Timestamp' || name.includes('@odata') || name.startsWith('odata.')) continue;
    const type = body[`${name}@odata.type`];
    entity[name] = typeof type === 'string' ? { value, type: type.replace(/^Edm\./, '') } : value;
  }
  return entity;
}

/**
 * Applies journaled writes to the table service in order, each unconditionally, so that replaying
 * them onto a snapshot that already holds some of them ends in the state the journal describes.
 */
export async function replayWrites(connectionString: string, writes: readonly TableWrite[]): Promise<void> {
  const service = TableServiceClient.fromConnectionString(connectionString, { allowInsecureConnection: true });
  const clients = new Map<string, TableClient>();
  const client = (table: string) => {
    let c = clients.get(table);
    if (!c) {
      c = TableClient.fromConnectionString(connectionString, table, { allowInsecureConnection: true });
      clients.set(table, c);
    }
    return c;
  };
  for (const write of writes) {
    switch (write.kind) {
      case 'createTable':
        await service.createTable(write.table);
        break;
      case 'deleteTable':
        await service.deleteTable(write.table).catch((error: unknown) => {
          if (status(error) !== 404) throw error;
        });
        break;
      case 'upsert':
        await client(write.table).upsertEntity(entityOf(write), write.mode);
        break;
      case 'delete':
        await client(write.table).deleteEntity(write.partitionKey, write.rowKey).catch((error: unknown) => {
          if (status(error) !== 404) throw error;
        });
        break;
    }
  }
}
