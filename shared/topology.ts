/**
 * The names the app shares with its infrastructure: one event hub, one consumer group per consuming
 * service, one table per service. Bicep, the Event Hubs emulator config and the local host must agree
 * with these; test/infra-consistency checks that they do.
 */
export const EVENT_HUB = 'cafe-events';

/** Name of the app setting (or identity-based setting prefix) for the Event Hubs namespace. */
export const EVENT_HUB_CONNECTION = 'EventHubConnection';

export const CONSUMER_GROUPS = {
  orders: 'orders',
  inventory: 'inventory',
  beverages: 'beverages',
  notifications: 'notifications',
  kiosk: 'kiosk',
  sales: 'sales',
} as const;

/**
 * Read on demand by the operator's replay (`POST /operations/replay`), never by a trigger, so it has no
 * checkpoints and is not one of CONSUMER_GROUPS (the backlog alert counts those as steady readers).
 */
export const OPERATIONS_CONSUMER_GROUP = 'operations';

export const TABLES = {
  orders: 'orders',
  inventory: 'inventory',
  beverages: 'beverages',
  notifications: 'notifications',
  kiosk: 'kiosk',
  /** Each store's daily sales figures, a read model of the order events (functions/sales). */
  sales: 'sales',
  deadLetters: 'deadletters',
  /** Staff and operator writes: who, what, when, outcome (shared/auth/audit.ts). */
  audit: 'audit',
  /** With Entra ID: the stores each staff member serves, managed by operators (shared/auth/assignments.ts). */
  staffStores: 'staffstores',
  /** Each store's operating settings, written by the stores service, read by the others (shared/storeSettings.ts). */
  stores: 'stores',
} as const;

export type TableName = (typeof TABLES)[keyof typeof TABLES];
