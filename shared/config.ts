import { z } from 'zod';
import { EVENT_HUB_CONNECTION } from './topology';
import { LOCAL_TOKEN_AUDIENCE, LOCAL_TOKEN_ISSUER } from './auth/localTokens';

/**
 * Every setting the app reads, validated once. Connections follow the Functions convention: either a
 * connection string under the plain name, or identity-based settings under `<name>__<property>`.
 */
const optionalText = z.string().trim().min(1).optional();
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const seconds = (fallback: number) => z.coerce.number().positive().max(86_400).default(fallback);

const settingsSchema = z.object({
  [EVENT_HUB_CONNECTION]: optionalText,
  [`${EVENT_HUB_CONNECTION}__fullyQualifiedNamespace`]: optionalText,
  [`${EVENT_HUB_CONNECTION}__clientId`]: optionalText,
  TablesConnection: optionalText,
  TablesConnection__tableServiceUri: z.url().optional(),
  TablesConnection__clientId: optionalText,
  // The Functions host's own storage, where it keeps Event Hubs checkpoints (read by GET /operations/lag).
  AzureWebJobsStorage__blobServiceUri: z.url().optional(),
  AzureWebJobsStorage__clientId: optionalText,
  AZURE_CLIENT_ID: optionalText,
  // 0 is allowed: a drink that is ready at once (BrewingStarted and BeverageCompleted together).
  BREW_SECONDS: z.coerce.number().min(0).max(86_400).default(3),
  ORDER_NUDGE_AFTER_SECONDS: seconds(30),
  ORDER_DEADLINE_SECONDS: seconds(900),
  INTAKE_TIMEOUT_SECONDS: z.coerce.number().positive().max(300).default(10),
  IDEMPOTENCY_TTL_HOURS: z.coerce.number().positive().max(8_760).default(24),
  LOW_STOCK_CUPS: z.coerce.number().int().min(0).default(5),
  // Whole days: the consumers ignore events of orders past it, so a fraction of a day would drop live orders' events.
  RETENTION_DAYS: z.coerce.number().int().min(1).max(3_650).default(30),
  AUTH_MODE: z.enum(['off', 'local', 'entra']).default('off'),
  AUTH_ENTRA_TENANT_ID: z.string().trim().regex(GUID, 'a directory (tenant) id, a GUID').optional(),
  AUTH_ENTRA_CLIENT_ID: z.string().trim().regex(GUID, 'the API app registration\'s application (client) id, a GUID').optional(),
  // Telemetry (shared/telemetry.ts): Application Insights on Azure, an OTLP/HTTP collector anywhere; neither: none.
  APPLICATIONINSIGHTS_CONNECTION_STRING: optionalText,
  OTEL_EXPORTER_OTLP_ENDPOINT: z.url({ protocol: /^https?$/, error: 'an http(s) URL, the OTLP/HTTP collector (e.g. http://127.0.0.1:4318)' }).optional(),
  OTEL_SERVICE_NAME: optionalText,
});

/**
 * Settings the app reads that are not app settings: the local host's signing keys (never on Azure),
 * and what the platform itself sets on Azure.
 */
const hostSettingsSchema = z.object({
  AUTH_LOCAL_JWKS: optionalText,
  WEBSITE_SITE_NAME: optionalText,
});

export type EventHubConnection =
  | { kind: 'connectionString'; connectionString: string }
  | { kind: 'identity'; fullyQualifiedNamespace: string; clientId?: string }
  | { kind: 'localEventLog'; endpoint: string };

export type TablesConnection =
  | { kind: 'connectionString'; connectionString: string }
  | { kind: 'identity'; tableServiceUri: string; clientId?: string };

/**
 * Who checks callers. `off`: nobody (local development only); `local`: tokens the local host signs;
 * `entra`: Microsoft Entra ID access tokens for the API's app registration (v2 tokens, RS256).
 */
export type AuthConfig =
  | { mode: 'off' }
  | { mode: 'local'; issuer: string; audience: string; jwks: { keys: Record<string, unknown>[] } }
  | { mode: 'entra'; tenantId: string; clientId: string; issuer: string; audience: string; jwksUrl: string };

/** Where traces and metrics go; both exporters may be on at once, and with neither the app records nothing. */
export interface TelemetryConfig {
  /** Application Insights (ingestion authenticates as `clientId` when set: local auth is off there). */
  azureMonitor?: { connectionString: string; clientId?: string };
  /** An OTLP/HTTP collector's base URL; traces go to `/v1/traces`, metrics to `/v1/metrics`. */
  otlpEndpoint?: string;
  serviceName: string;
}

export interface Config {
  eventHub: EventHubConnection;
  tables: TablesConnection;
  /** Where the Functions host keeps Event Hubs checkpoints (identity-based), if configured. */
  checkpointStore?: { blobServiceUri: string; clientId?: string };
  auth: AuthConfig;
  telemetry: TelemetryConfig;
  brewSeconds: number;
  orderNudgeAfterSeconds: number;
  /** An order not brewing by then is cancelled (`timed-out`); a brewing one is reported as stuck. */
  orderDeadlineSeconds: number;
  intakeTimeoutSeconds: number;
  idempotencyTtlHours: number;
  lowStockCups: number;
  /** Finished orders' records are deleted after this many days (a cleanup timer); replaying their dead letters is refused. */
  retentionDays: number;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

const LOCAL_EVENT_LOG = /^LocalEventLog=(https?:\/\/\S+)$/;

function eventHubConnection(s: z.infer<typeof settingsSchema>): EventHubConnection {
  const plain = s[EVENT_HUB_CONNECTION];
  const namespace = s[`${EVENT_HUB_CONNECTION}__fullyQualifiedNamespace`];
  const local = plain ? LOCAL_EVENT_LOG.exec(plain) : null;
  if (local?.[1]) return { kind: 'localEventLog', endpoint: local[1] };
  if (plain) return { kind: 'connectionString', connectionString: plain };
  if (namespace) {
    const clientId = s[`${EVENT_HUB_CONNECTION}__clientId`] ?? s.AZURE_CLIENT_ID;
    return { kind: 'identity', fullyQualifiedNamespace: namespace, ...(clientId ? { clientId } : {}) };
  }
  throw new ConfigError(
    `Missing setting ${EVENT_HUB_CONNECTION}: set ${EVENT_HUB_CONNECTION} (a connection string) or ` +
      `${EVENT_HUB_CONNECTION}__fullyQualifiedNamespace (identity-based).`,
  );
}

function tablesConnection(s: z.infer<typeof settingsSchema>): TablesConnection {
  if (s.TablesConnection) return { kind: 'connectionString', connectionString: s.TablesConnection };
  if (s.TablesConnection__tableServiceUri) {
    const clientId = s.TablesConnection__clientId ?? s.AZURE_CLIENT_ID;
    return {
      kind: 'identity',
      tableServiceUri: s.TablesConnection__tableServiceUri,
      ...(clientId ? { clientId } : {}),
    };
  }
  throw new ConfigError(
    'Missing setting TablesConnection: set TablesConnection (a connection string) or ' +
      'TablesConnection__tableServiceUri (identity-based).',
  );
}

function parseJwks(text: string | undefined): { keys: Record<string, unknown>[] } {
  if (!text) {
    throw new ConfigError('Missing setting AUTH_LOCAL_JWKS: AUTH_MODE=local needs the local host\'s public keys (npm start sets it).');
  }
  try {
    const parsed = JSON.parse(text) as { keys?: unknown };
    if (Array.isArray(parsed.keys) && parsed.keys.length > 0 && parsed.keys.every((k) => typeof k === 'object' && k !== null)) {
      return { keys: parsed.keys as Record<string, unknown>[] };
    }
  } catch {
    // reported below
  }
  throw new ConfigError('Invalid setting AUTH_LOCAL_JWKS: expected a JSON Web Key Set, {"keys":[...]}.');
}

function authConfig(s: z.infer<typeof settingsSchema>, host: z.infer<typeof hostSettingsSchema>): AuthConfig {
  // On Azure (the platform sets WEBSITE_SITE_NAME) only Entra ID is acceptable: `off` would open every
  // staff and operator route to the internet, and `local` would trust a key from a setting.
  if (host.WEBSITE_SITE_NAME && s.AUTH_MODE !== 'entra') {
    throw new ConfigError(`Invalid setting AUTH_MODE: "${s.AUTH_MODE}" is refused on Azure (WEBSITE_SITE_NAME is set); use AUTH_MODE=entra.`);
  }
  switch (s.AUTH_MODE) {
    case 'off':
      return { mode: 'off' };
    case 'local':
      return { mode: 'local', issuer: LOCAL_TOKEN_ISSUER, audience: LOCAL_TOKEN_AUDIENCE, jwks: parseJwks(host.AUTH_LOCAL_JWKS) };
    case 'entra': {
      const tenantId = s.AUTH_ENTRA_TENANT_ID;
      const clientId = s.AUTH_ENTRA_CLIENT_ID;
      if (!tenantId) throw new ConfigError('Missing setting AUTH_ENTRA_TENANT_ID: AUTH_MODE=entra needs the directory (tenant) id.');
      if (!clientId) throw new ConfigError('Missing setting AUTH_ENTRA_CLIENT_ID: AUTH_MODE=entra needs the API app registration\'s client id.');
      const authority = 'https://login.microsoftonline.com';
      // v2 access tokens (the registration sets requestedAccessTokenVersion 2): the audience is the
      // client id itself, the issuer the tenant's v2.0 endpoint.
      return {
        mode: 'entra',
        tenantId,
        clientId,
        issuer: `${authority}/${tenantId}/v2.0`,
        audience: clientId,
        jwksUrl: `${authority}/${tenantId}/discovery/v2.0/keys`,
      };
    }
  }
}

export function parseConfig(env: Record<string, string | undefined>): Config {
  const parsed = settingsSchema.safeParse(env);
  const host = hostSettingsSchema.safeParse(env);
  if (!parsed.success || !host.success) {
    const issues = [...(parsed.error?.issues ?? []), ...(host.error?.issues ?? [])];
    const detail = issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new ConfigError(`Invalid settings: ${detail}`);
  }
  const s = parsed.data;
  // The open-order sweep must never act on an intake that may still be writing (it would drop or rebuild
  // an order under the intake's feet), so its grace period has to outlast the intake's own bound.
  if (s.ORDER_NUDGE_AFTER_SECONDS <= s.INTAKE_TIMEOUT_SECONDS) {
    throw new ConfigError(
      `Invalid settings: ORDER_NUDGE_AFTER_SECONDS (${s.ORDER_NUDGE_AFTER_SECONDS}) must be greater than ` +
        `INTAKE_TIMEOUT_SECONDS (${s.INTAKE_TIMEOUT_SECONDS}).`,
    );
  }
  return Object.freeze({
    eventHub: eventHubConnection(s),
    tables: tablesConnection(s),
    ...(s.AzureWebJobsStorage__blobServiceUri
      ? { checkpointStore: { blobServiceUri: s.AzureWebJobsStorage__blobServiceUri, ...(s.AzureWebJobsStorage__clientId ? { clientId: s.AzureWebJobsStorage__clientId } : {}) } }
      : {}),
    auth: authConfig(s, host.data),
    telemetry: {
      ...(s.APPLICATIONINSIGHTS_CONNECTION_STRING
        ? { azureMonitor: { connectionString: s.APPLICATIONINSIGHTS_CONNECTION_STRING, ...(s.AZURE_CLIENT_ID ? { clientId: s.AZURE_CLIENT_ID } : {}) } }
        : {}),
      ...(s.OTEL_EXPORTER_OTLP_ENDPOINT ? { otlpEndpoint: s.OTEL_EXPORTER_OTLP_ENDPOINT.replace(/\/+$/, '') } : {}),
      serviceName: s.OTEL_SERVICE_NAME ?? host.data.WEBSITE_SITE_NAME ?? 'unmanned-cafe',
    },
    brewSeconds: s.BREW_SECONDS,
    orderNudgeAfterSeconds: s.ORDER_NUDGE_AFTER_SECONDS,
    orderDeadlineSeconds: s.ORDER_DEADLINE_SECONDS,
    intakeTimeoutSeconds: s.INTAKE_TIMEOUT_SECONDS,
    idempotencyTtlHours: s.IDEMPOTENCY_TTL_HOURS,
    lowStockCups: s.LOW_STOCK_CUPS,
    retentionDays: s.RETENTION_DAYS,
  });
}

let loaded: Config | undefined;

/** The process-wide configuration, read from the environment on first use. */
export function config(): Config {
  loaded ??= parseConfig(process.env);
  return loaded;
}

/**
 * Settings a deployment may leave out, with no default standing in for them: an OTLP collector is an
 * addition to Application Insights, and the service name falls back to the site's name.
 */
const OPTIONAL_SETTINGS: readonly string[] = ['OTEL_EXPORTER_OTLP_ENDPOINT', 'OTEL_SERVICE_NAME'];

/**
 * Names of the app settings the app reads (the infra consistency test compares them with Bicep); the
 * local host's keys, the platform's own settings and the optional ones are not among them.
 */
export const SETTING_NAMES = Object.keys(settingsSchema.shape).filter((name) => !OPTIONAL_SETTINGS.includes(name));
