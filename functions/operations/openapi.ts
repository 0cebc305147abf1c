import { z } from 'zod';
import { Assignment, StaffAssignment, UserId } from '../../shared/auth/assignments';
import { AuditEntry } from '../../shared/auth/audit';
import { PagedHeaders, SECURITY, answer, guarded, jsonContent, problems, type Paths } from '../../shared/openapi';
import { AuditQuery } from './access';
import { Consumer, DeadLetter, Key, Query as DeadLetterQuery } from './deadLetters';
import { LagReport } from './lag';
import { ReplayAnswer, ReplayRange } from './replay';

const DEAD_LETTER: z.input<typeof DeadLetter> = {
  consumer: 'reserveCups',
  key: '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08',
  eventId: '7d0e3f6a-2b1c-4e5f-8a9b-0c1d2e3f4a5b',
  eventType: 'OrderPlaced',
  error: 'Table storage refused the write',
  sequenceNumber: 42,
  partitionId: '0',
  attempt: 5,
  deadLetteredAt: '2026-11-27T10:16:00.000Z',
  payload: '{"type":"OrderPlaced"}',
};
const ASSIGNMENT: z.input<typeof StaffAssignment> = { userId: '3f2504e0-4f89-11d3-9a0c-0305e82c3301', stores: ['main', 'gangnam'], updatedAt: '2026-11-27T09:00:00.000Z' };
const UserPath = z.object({ userId: UserId.meta({ description: "The staff member's Entra object id.", example: ASSIGNMENT.userId }) });

export const paths: Paths = {
  '/deadletters': {
    get: {
      operationId: 'listDeadLetters',
      tags: ['operations'],
      summary: 'Events no consumer could process (operators)',
      security: SECURITY.operator,
      requestParams: { query: DeadLetterQuery },
      responses: { '200': answer('A page of dead letters.', z.array(DeadLetter), [DEAD_LETTER], PagedHeaders), ...problems([400, ...guarded]) },
    },
  },
  '/deadletters/{consumer}/{key}/replay': {
    post: {
      operationId: 'replayDeadLetter',
      tags: ['operations'],
      summary: 'Publish a dead-lettered event again (operators)',
      security: SECURITY.operator,
      requestParams: { path: z.object({ consumer: Consumer.meta({ example: DEAD_LETTER.consumer }), key: Key.meta({ example: DEAD_LETTER.key }) }) },
      responses: {
        '202': answer('Published again.', DeadLetter, { ...DEAD_LETTER, replayedAt: '2026-11-27T11:00:00.000Z' }),
        ...problems([...guarded, 404, 410, 422], {
          422: { description: 'The payload is not a valid event of this version.', example: { type: 'https://unmanned.cafe/problems/not-replayable', title: 'Not replayable', status: 422, detail: 'The dead-lettered payload is not a valid event of this version; it cannot be published again.' } },
        }),
      },
    },
  },
  '/operations/replay': {
    post: {
      operationId: 'replayEvents',
      tags: ['operations'],
      summary: "Publish a range of a partition's events again (operators)",
      security: SECURITY.operator,
      requestBody: { required: true, content: jsonContent(ReplayRange, { partitionId: '0', fromSequenceNumber: 40, toSequenceNumber: 45 }) },
      responses: {
        '202': answer('The range as read and published.', ReplayAnswer, {
          partitionId: '0',
          fromSequenceNumber: 40,
          toSequenceNumber: 45,
          read: 6,
          replayed: 5,
          eventIds: ['7d0e3f6a-2b1c-4e5f-8a9b-0c1d2e3f4a5b'],
          skipped: [{ sequenceNumber: 43, reason: 'not a valid event of this version' }],
        }),
        ...problems([400, ...guarded, 404, 413]),
      },
    },
  },
  '/operations/lag': {
    get: {
      operationId: 'consumerLag',
      tags: ['operations'],
      summary: "Each consumer group's lag per partition (operators)",
      security: SECURITY.operator,
      responses: {
        '200': answer('The lag.', LagReport, {
          hub: 'orders',
          at: '2026-11-27T10:20:00.000Z',
          consumerGroups: [{ consumerGroup: 'inventory', lag: 2, partitions: [{ partitionId: '0', lastEnqueuedSequenceNumber: 44, checkpointSequenceNumber: 42, lag: 2 }], eventsPerSecond: 12.5 }],
        }),
        ...problems([...guarded, 501]),
      },
    },
  },
  '/audit': {
    get: {
      operationId: 'listAudit',
      tags: ['operations'],
      summary: 'The audit trail of staff and operator writes, newest first (operators)',
      security: SECURITY.operator,
      requestParams: { query: AuditQuery },
      responses: {
        '200': answer('The newest entries.', z.array(AuditEntry), [{ at: '2026-11-27T10:00:00.000Z', who: ASSIGNMENT.userId, roles: 'staff', action: 'PUT /inventories/main', storeId: 'main', status: 200, outcome: 'done' }]),
        ...problems([400, ...guarded]),
      },
    },
  },
  '/staff': {
    get: {
      operationId: 'listStaff',
      tags: ['operations'],
      summary: 'Which stores each staff member serves (operators)',
      security: SECURITY.operator,
      responses: { '200': answer('Every assignment.', z.array(StaffAssignment), [ASSIGNMENT]), ...problems(guarded) },
    },
  },
  '/staff/{userId}': {
    put: {
      operationId: 'assignStaff',
      tags: ['operations'],
      summary: 'Set the stores a staff member serves (operators)',
      security: SECURITY.operator,
      requestParams: { path: UserPath },
      requestBody: { required: true, content: jsonContent(Assignment, { stores: ['main', 'gangnam'] }) },
      responses: { '200': answer('The assignment.', StaffAssignment, ASSIGNMENT), ...problems([400, ...guarded, 404, 413]) },
    },
    delete: {
      operationId: 'removeStaff',
      tags: ['operations'],
      summary: 'Remove a staff member from every store (operators)',
      security: SECURITY.operator,
      requestParams: { path: UserPath },
      responses: { '204': { description: 'Removed (or was never assigned).' }, ...problems([...guarded, 404]) },
    },
  },
};
