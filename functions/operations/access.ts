import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { z } from 'zod';
import { Assignment, UserId, assign, listAssignments } from '../../shared/auth/assignments';
import { latest } from '../../shared/auth/audit';
import type { Caller } from '../../shared/auth/policy';
import type { ServiceDeps } from '../../shared/deps';
import { json, parseJsonBody, parseWith, pathId, queryObject } from '../../shared/http';
import { deleteIfPresent } from '../../shared/tables';
import { ASSIGNMENT_PARTITION } from '../../shared/auth/assignments';
import { TABLES } from '../../shared/topology';
import { ListLimit } from '../../shared/identifiers';

export const AuditQuery = z.strictObject({ limit: ListLimit });

/** Operator routes about access itself: the audit trail, and which stores each staff member serves. */
export function createAccessApi(deps: ServiceDeps) {
  return {
    async listAudit(request: HttpRequest): Promise<HttpResponseInit> {
      const q = parseWith(AuditQuery, queryObject(request), 'query');
      return json(200, await latest(await deps.table(TABLES.audit), q.limit));
    },

    async listStaff(): Promise<HttpResponseInit> {
      return json(200, await listAssignments(await deps.table(TABLES.staffStores)));
    },

    async assignStaff(request: HttpRequest, _context: InvocationContext, caller: Caller): Promise<HttpResponseInit> {
      const userId = pathId(UserId, request.params.userId, 'staff member');
      const { stores } = await parseJsonBody(request, Assignment);
      return json(200, await assign(await deps.table(TABLES.staffStores), userId, stores, caller.id, deps.now()));
    },

    async removeStaff(request: HttpRequest): Promise<HttpResponseInit> {
      const userId = pathId(UserId, request.params.userId, 'staff member');
      await deleteIfPresent(await deps.table(TABLES.staffStores), ASSIGNMENT_PARTITION, userId);
      return { status: 204 };
    },
  };
}
