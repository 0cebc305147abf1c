import { randomBytes } from 'node:crypto';
import type { TableClient } from '@azure/data-tables';
import { z } from 'zod';
import { newestFirstKey } from '../identifiers';
import { listAll } from '../tables';
import type { Caller } from './policy';

/**
 * The audit trail: one row per staff or operator write (allowed or refused), newest first in one
 * partition. Writes by staff are a few per store per day, far below a partition's limits.
 */
export const AUDIT_PARTITION = 'trail';

export const AuditEntry = z
  .object({
    at: z.iso.datetime(),
    who: z.string().meta({ description: "The caller's id." }),
    name: z.string().optional(),
    roles: z.string().meta({ description: 'Space-separated roles.' }),
    action: z.string().meta({ example: 'PUT /inventories/main' }),
    storeId: z.string().optional(),
    status: z.int(),
    outcome: z.enum(['done', 'refused', 'failed']),
  })
  .meta({ id: 'AuditEntry' });
export type AuditEntry = z.infer<typeof AuditEntry>;

export function outcomeOf(status: number): AuditEntry['outcome'] {
  return status < 400 ? 'done' : status === 401 || status === 403 ? 'refused' : 'failed';
}

export function auditEntry(caller: Caller, action: string, status: number, at: Date, storeId?: string): AuditEntry {
  return {
    at: at.toISOString(),
    who: caller.id,
    ...(caller.name ? { name: caller.name } : {}),
    roles: caller.roles.join(' '),
    action,
    ...(storeId ? { storeId } : {}),
    status,
    outcome: outcomeOf(status),
  };
}

export async function record(client: TableClient, entry: AuditEntry): Promise<void> {
  await client.createEntity({ partitionKey: AUDIT_PARTITION, rowKey: newestFirstKey(new Date(entry.at), randomBytes(6).toString('hex')), ...entry });
}

export async function latest(client: TableClient, limit: number): Promise<AuditEntry[]> {
  const rows = await listAll<AuditEntry>(client, `PartitionKey eq '${AUDIT_PARTITION}'`, limit);
  return rows.map(({ at, who, name, roles, action, storeId, status, outcome }) => ({
    at,
    who,
    ...(name ? { name } : {}),
    roles,
    action,
    ...(storeId ? { storeId } : {}),
    status,
    outcome,
  }));
}
