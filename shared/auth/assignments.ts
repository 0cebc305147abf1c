import type { TableClient } from '@azure/data-tables';
import { z } from 'zod';
import { StoreId } from '../identifiers';
import { getOrUndefined, listAll } from '../tables';

/**
 * With Entra ID, the stores a staff member serves are kept here, keyed by the user's object id, and
 * operators manage them (PUT /staff/{userId}). A table rather than a group claim: a store opening or a
 * shift change needs no directory administrator, and a token never grows with the number of stores.
 * Local tokens carry their stores in a `stores` claim instead.
 */
export const ASSIGNMENT_PARTITION = 'staff';

export const UserId = z.string().regex(/^[A-Za-z0-9-]{1,64}$/, 'A user id is an Entra object id (a GUID)');
export const Assignment = z.strictObject({ stores: z.array(StoreId).max(100) });
/** Which stores a staff member serves, as the staff routes answer it. */
export const StaffAssignment = z.object({ userId: z.string(), stores: z.array(z.string()), updatedAt: z.iso.datetime() }).meta({ id: 'StaffAssignment' });
type StaffAssignment = z.infer<typeof StaffAssignment>;

interface AssignmentRow {
  stores: string;
  updatedAt: string;
  updatedBy: string;
}

export async function storesOf(client: TableClient, userId: string): Promise<string[]> {
  const row = await getOrUndefined<AssignmentRow>(client, ASSIGNMENT_PARTITION, userId);
  return row ? (JSON.parse(row.stores) as string[]) : [];
}

export async function assign(client: TableClient, userId: string, stores: readonly string[], by: string, at: Date): Promise<StaffAssignment> {
  const unique = [...new Set(stores)].sort();
  await client.upsertEntity({ partitionKey: ASSIGNMENT_PARTITION, rowKey: userId, stores: JSON.stringify(unique), updatedAt: at.toISOString(), updatedBy: by }, 'Replace');
  return { userId, stores: unique, updatedAt: at.toISOString() };
}

export async function listAssignments(client: TableClient): Promise<StaffAssignment[]> {
  const rows = await listAll<AssignmentRow>(client, `PartitionKey eq '${ASSIGNMENT_PARTITION}'`);
  return rows.map((r) => ({ userId: r.rowKey!, stores: JSON.parse(r.stores) as string[], updatedAt: r.updatedAt }));
}
