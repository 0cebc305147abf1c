/**
 * One source of truth for names: the app's own registrations (loaded from the built app the way the Functions
 * worker loads it) decide which event hubs, consumer groups and settings exist. This test proves that
 *   - infra/eventhubs-emulator/Config.json declares exactly those hubs and consumer groups;
 *   - infra/main.bicep, evaluated by the Bicep CLI (`bicep snapshot`), declares exactly those hubs, consumer
 *     groups and tables, and sets every app setting the app reads (SETTING_NAMES, `%NAME%` references in
 *     bindings, and the identity-based settings of every trigger `connection`);
 *   - the template carries the security settings the issue names.
 * The Bicep part needs the Bicep CLI (scripts/bicep.sh finds or restores it; restoring needs the .NET SDK). On a
 * machine without it the Bicep part is skipped with the reason printed; with CI=true it is never skipped.
 * Requires `npm run build` first (npm run check:infra does it).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadFunctionApp } from '../local-host/src/appLoader';
import { DEFAULT_RETENTION_HOURS } from '../local-host/src/eventLog';
import { SETTING_NAMES, parseConfig } from '../shared/config';
import { STOCK_LOW_LOG } from '../functions/inventory/lowStock';
import { METRICS } from '../shared/metrics';
import { CONSUMER_GROUPS, EVENT_HUB, EVENT_HUB_CONNECTION, OPERATIONS_CONSUMER_GROUP, TABLES } from '../shared/topology';

const ROOT = path.resolve(__dirname, '..');
const DEFAULT_GROUP = '$Default';

interface Binding {
  type: string;
  direction: string;
  [key: string]: unknown;
}
interface Registration {
  name: string;
  bindings: Record<string, Binding>;
}

// ---------------------------------------------------------------------------------------------------------
// What the app uses

/** hub -> consumer groups, from the Event Hubs trigger bindings ($Default is implicit everywhere). */
function groupsByHub(functions: Registration[]): Map<string, Set<string>> {
  const hubs = new Map<string, Set<string>>();
  for (const fn of functions) {
    for (const binding of Object.values(fn.bindings)) {
      if (!/^eventHub/i.test(binding.type)) continue;
      const hub = String(binding.eventHubName);
      const groups = hubs.get(hub) ?? new Set<string>();
      if (binding.direction === 'in') {
        const group = typeof binding.consumerGroup === 'string' && binding.consumerGroup ? binding.consumerGroup : DEFAULT_GROUP;
        if (group !== DEFAULT_GROUP) groups.add(group);
      }
      hubs.set(hub, groups);
    }
  }
  return hubs;
}

/** What infrastructure must declare: the triggers' groups, plus the group the operator replay reads through. */
function groupsToDeclare(functions: Registration[]): Map<string, Set<string>> {
  const hubs = groupsByHub(functions);
  hubs.get(EVENT_HUB)?.add(OPERATIONS_CONSUMER_GROUP);
  return hubs;
}

/** Every `%NAME%` app-setting reference in any binding property. */
function percentSettings(functions: Registration[]): Set<string> {
  const names = new Set<string>();
  for (const fn of functions) {
    for (const binding of Object.values(fn.bindings)) {
      for (const value of Object.values(binding)) {
        if (typeof value !== 'string') continue;
        for (const match of value.matchAll(/%([A-Za-z0-9_:.-]+)%/g)) names.add(match[1]!);
      }
    }
  }
  return names;
}

/** connection prefix -> binding types using it. */
function connections(functions: Registration[]): Map<string, Set<string>> {
  const result = new Map<string, Set<string>>();
  for (const fn of functions) {
    for (const binding of Object.values(fn.bindings)) {
      if (typeof binding.connection !== 'string' || !binding.connection) continue;
      const types = result.get(binding.connection) ?? new Set<string>();
      types.add(binding.type);
      result.set(binding.connection, types);
    }
  }
  return result;
}

const sorted = (values: Iterable<string>) => [...values].sort();
const asObject = (hubs: Map<string, Set<string>>) =>
  Object.fromEntries(sorted(hubs.keys()).map((hub) => [hub, sorted(hubs.get(hub)!)]));

let functions: Registration[] = [];

beforeAll(async () => {
  if (!existsSync(path.join(ROOT, 'dist', 'functions'))) {
    throw new Error('dist/functions is missing: run "npm run build" first (npm run check:infra does).');
  }
  // The app reads its configuration when it is loaded; give it harmless local values if none are set.
  process.env[EVENT_HUB_CONNECTION] ??= 'LocalEventLog=http://127.0.0.1:9';
  process.env.TablesConnection ??= 'UseDevelopmentStorage=true';
  const app = await loadFunctionApp(ROOT, () => undefined);
  functions = app.functions as unknown as Registration[];
});

describe('the app registrations', () => {
  it('use the hub and consumer groups of shared/topology.ts', () => {
    expect(functions.length).toBeGreaterThan(0);
    const hubs = groupsByHub(functions);
    expect(sorted(hubs.keys())).toEqual([EVENT_HUB]);
    expect(sorted(hubs.get(EVENT_HUB)!)).toEqual(sorted(Object.values(CONSUMER_GROUPS)));
  });

  it('connect every Event Hubs trigger through the EventHubConnection setting prefix', () => {
    for (const fn of functions) {
      for (const binding of Object.values(fn.bindings)) {
        if (/^eventHub/i.test(binding.type)) expect(binding.connection, fn.name).toBe(EVENT_HUB_CONNECTION);
      }
    }
  });
});

// ---------------------------------------------------------------------------------------------------------
// Event Hubs emulator config

interface EmulatorConfig {
  UserConfig: {
    NamespaceConfig: Array<{
      Type: string;
      Name: string;
      Entities: Array<{ Name: string; PartitionCount: string; ConsumerGroups: Array<{ Name: string }> }>;
    }>;
  };
}

describe('infra/eventhubs-emulator/Config.json', () => {
  const config = JSON.parse(
    readFileSync(path.join(ROOT, 'infra', 'eventhubs-emulator', 'Config.json'), 'utf8'),
  ) as EmulatorConfig;
  const namespaces = config.UserConfig.NamespaceConfig;

  it('has one Event Hubs namespace', () => {
    expect(namespaces).toHaveLength(1);
    expect(namespaces[0]!.Type).toBe('EventHub');
  });

  it('declares exactly the hubs and consumer groups the app uses', () => {
    const declared = new Map<string, Set<string>>();
    for (const entity of namespaces[0]!.Entities) {
      declared.set(entity.Name, new Set(entity.ConsumerGroups.map((g) => g.Name)));
    }
    expect(asObject(declared)).toEqual(asObject(groupsToDeclare(functions)));
  });
});

// ---------------------------------------------------------------------------------------------------------
// Bicep

interface PredictedResource {
  id: string;
  type: string;
  name: string;
  kind?: string;
  sku?: { name?: string; tier?: string; capacity?: number };
  tags?: Record<string, string>;
  identity?: { type?: string };
  properties?: Record<string, unknown>;
}

function findBicep(): { cli?: string; reason?: string } {
  if (process.env.BICEP_CLI) return { cli: process.env.BICEP_CLI };
  const found = spawnSync('bash', [path.join(ROOT, 'scripts', 'bicep.sh'), '--which'], {
    encoding: 'utf8',
    timeout: 300_000,
  });
  if (found.status === 0 && found.stdout.trim()) return { cli: found.stdout.trim() };
  return { reason: (found.stderr || found.error?.message || 'scripts/bicep.sh --which failed').trim() };
}

const bicep = findBicep();
const skipBicep = !bicep.cli && process.env.CI !== 'true';
if (skipBicep) {
  console.warn(
    `infra-consistency: SKIPPING the Bicep checks: no Bicep CLI could be found or restored.\n${bicep.reason ?? ''}\n` +
      'Install the Bicep CLI, run "az bicep install", or install the .NET SDK so scripts/bicep.sh can restore it.',
  );
}

/** Runs the CLI through scripts/bicep.sh, which also handles a machine without ICU. */
function runBicep(args: string[], cwd = ROOT): string {
  if (!bicep.cli) throw new Error(`No Bicep CLI: ${bicep.reason ?? 'unknown reason'}`);
  const result = spawnSync('bash', [path.join(ROOT, 'scripts', 'bicep.sh'), ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, BICEP_CLI: bicep.cli },
    timeout: 300_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.status !== 0) {
    throw new Error(`bicep ${args.join(' ')} failed (${result.status}):\n${result.stderr}${result.stdout}`);
  }
  return result.stdout;
}

const TEST_PRINCIPAL = '11111111-2222-3333-4444-555555555555';
const TEST_API_CLIENT = '66666666-7777-4888-9999-aaaaaaaaaaaa';
const PIPELINE_PRINCIPAL = '99999999-8888-7777-6666-555555555555';
const SUBSCRIPTION = '00000000-0000-0000-0000-000000000000';

/** Evaluates infra/main.bicep for a sample environment: every resource with its name and literal properties. */
function snapshot(): { resources: PredictedResource[]; template: Record<string, unknown> } {
  const template = JSON.parse(runBicep(['build', path.join(ROOT, 'infra', 'main.bicep'), '--stdout'])) as Record<string, unknown>;
  const dir = mkdtempSync(path.join(tmpdir(), 'cafe-bicep-'));
  try {
    const main = path.relative(dir, path.join(ROOT, 'infra', 'main.bicep')).split(path.sep).join('/');
    const params = path.join(dir, 'ci.bicepparam');
    writeFileSync(
      params,
      [
        `using '${main}'`,
        `param environmentName = 'ci'`,
        `param location = 'westeurope'`,
        `param principalId = '${TEST_PRINCIPAL}'`,
        `param authClientId = '${TEST_API_CLIENT}'`,
        `param deployPipelinePrincipalId = '${PIPELINE_PRINCIPAL}'`,
        '',
      ].join('\n'),
    );
    runBicep(
      ['snapshot', params, '--subscription-id', SUBSCRIPTION, '--tenant-id', SUBSCRIPTION, '--location', 'westeurope'],
      dir,
    );
    const snap = JSON.parse(readFileSync(path.join(dir, 'ci.snapshot.json'), 'utf8')) as {
      predictedResources: PredictedResource[];
    };
    return { resources: snap.predictedResources, template };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const ROLE = {
  eventHubsDataOwner: 'f526a384-b230-433a-b45c-95f59c4a2dec',
  eventHubsDataSender: '2b629674-e913-4c01-ae53-ef4638d8f975',
  eventHubsDataReceiver: 'a638d3c7-ab3a-418d-83e6-5f17a39d4fde',
  storageBlobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b',
  storageTableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3',
  monitoringMetricsPublisher: '3913510d-42f4-4e42-8a64-420c390055eb',
};

describe.skipIf(skipBicep)('infra/main.bicep', () => {
  let resources: PredictedResource[] = [];
  let template: Record<string, unknown> = {};
  const ofType = (type: string) => resources.filter((r) => r.type.toLowerCase() === type.toLowerCase());
  const one = (type: string) => {
    const found = ofType(type);
    expect(found, type).toHaveLength(1);
    return found[0]!;
  };
  const lastSegment = (name: string) => name.split('/').pop()!;
  const appSettings = () => one('Microsoft.Web/sites/config').properties as Record<string, unknown>;

  beforeAll(() => {
    ({ resources, template } = snapshot());
  }, 600_000);

  it('compiles to a subscription-scoped ARM template', () => {
    expect(String(template.$schema)).toContain('subscriptionDeploymentTemplate');
  });

  describe('names agree with the app', () => {
    it('declares exactly the hubs and consumer groups the app registrations use', () => {
      const declared = new Map<string, Set<string>>();
      for (const hub of ofType('Microsoft.EventHub/namespaces/eventhubs')) declared.set(lastSegment(hub.name), new Set());
      for (const group of ofType('Microsoft.EventHub/namespaces/eventhubs/consumergroups')) {
        const [, hub, name] = group.name.split('/');
        expect(declared.has(hub!), `consumer group ${group.name} of an undeclared hub`).toBe(true);
        declared.get(hub!)!.add(name!);
      }
      expect(asObject(declared)).toEqual(asObject(groupsToDeclare(functions)));
    });

    it('gives the hub the same partition count as the emulator config', () => {
      const hub = one('Microsoft.EventHub/namespaces/eventhubs');
      const emulator = JSON.parse(
        readFileSync(path.join(ROOT, 'infra', 'eventhubs-emulator', 'Config.json'), 'utf8'),
      ) as EmulatorConfig;
      const entity = emulator.UserConfig.NamespaceConfig[0]!.Entities.find((e) => e.Name === lastSegment(hub.name));
      expect(hub.properties?.partitionCount).toBe(Number(entity?.PartitionCount));
    });

    it('keeps events in the hub exactly as long as the local host does by default (CAFE_EVENTHUB_RETENTION_HOURS)', () => {
      const hub = one('Microsoft.EventHub/namespaces/eventhubs');
      const retention = hub.properties?.retentionDescription as { retentionTimeInHours?: number } | undefined;
      expect(retention?.retentionTimeInHours).toBe(DEFAULT_RETENTION_HOURS);
    });

    it('creates exactly the tables of shared/topology.ts', () => {
      const tables = ofType('Microsoft.Storage/storageAccounts/tableServices/tables').map((t) => lastSegment(t.name));
      expect(sorted(tables)).toEqual(sorted(Object.values(TABLES)));
    });

    it('sets every setting the app reads (SETTING_NAMES)', () => {
      const settings = appSettings();
      const missing = SETTING_NAMES.filter((name) => {
        if (name in settings) return false;
        // A connection the app accepts either as a connection string (NAME) or identity-based (NAME__...):
        // Azure uses the identity-based form only.
        return !(!name.includes('__') && Object.keys(settings).some((key) => key.startsWith(`${name}__`)));
      });
      expect(missing).toEqual([]);
    });

    it('sets every %NAME% setting the bindings reference (timer schedules)', () => {
      const referenced = percentSettings(functions);
      expect(referenced.size).toBeGreaterThan(0);
      const settings = appSettings();
      expect(sorted([...referenced].filter((name) => !(name in settings)))).toEqual([]);
    });

    it('sets identity-based settings for every trigger connection, and no connection string', () => {
      const settings = appSettings();
      const used = connections(functions);
      expect(used.size).toBeGreaterThan(0);
      for (const [prefix, types] of used) {
        expect(settings, `plain ${prefix} would be a connection string`).not.toHaveProperty(prefix);
        expect(settings[`${prefix}__credential`], prefix).toBe('managedidentity');
        expect(settings, prefix).toHaveProperty(`${prefix}__clientId`);
        if ([...types].some((t) => /^eventHub/i.test(t))) {
          expect(settings, prefix).toHaveProperty(`${prefix}__fullyQualifiedNamespace`);
        } else {
          expect(Object.keys(settings).some((k) => k.startsWith(`${prefix}__`) && /Uri$|Namespace$/.test(k)), prefix).toBe(true);
        }
      }
    });
  });

  describe('security settings', () => {
    it('Event Hubs: Standard, Kafka endpoint on, local (SAS) auth off, TLS 1.2', () => {
      const ns = one('Microsoft.EventHub/namespaces');
      expect(ns.sku?.name).toBe('Standard');
      expect(ns.properties).toMatchObject({ disableLocalAuth: true, kafkaEnabled: true, minimumTlsVersion: '1.2' });
    });

    it('storage: no shared key, TLS 1.2, HTTPS only, no public blob access', () => {
      const storage = one('Microsoft.Storage/storageAccounts');
      expect(storage.properties).toMatchObject({
        allowSharedKeyAccess: false,
        minimumTlsVersion: 'TLS1_2',
        supportsHttpsTrafficOnly: true,
        allowBlobPublicAccess: false,
      });
      const container = one('Microsoft.Storage/storageAccounts/blobServices/containers');
      expect(container.properties?.publicAccess).toBe('None');
    });

    it('function app: Flex Consumption, Node 22, user-assigned identity, HTTPS only, FTP off, TLS 1.2', () => {
      const plan = one('Microsoft.Web/serverfarms');
      expect(plan.sku).toMatchObject({ name: 'FC1', tier: 'FlexConsumption' });
      const site = one('Microsoft.Web/sites');
      expect(site.kind).toBe('functionapp,linux');
      expect(site.tags?.['azd-service-name']).toBe('api');
      expect(site.identity?.type).toBe('UserAssigned');
      expect(site.properties).toMatchObject({
        httpsOnly: true,
        siteConfig: { ftpsState: 'Disabled', minTlsVersion: '1.2', remoteDebuggingEnabled: false },
        functionAppConfig: {
          runtime: { name: 'node', version: '22' },
          scaleAndConcurrency: {
            instanceMemoryMB: 2048,
            maximumInstanceCount: 100,
            triggers: { http: { perInstanceConcurrency: 16 } },
          },
          deployment: { storage: { type: 'blobContainer', authentication: { type: 'UserAssignedIdentity' } } },
        },
      });
      const policies = ofType('Microsoft.Web/sites/basicPublishingCredentialsPolicies');
      expect(sorted(policies.map((p) => lastSegment(p.name)))).toEqual(['ftp', 'scm']);
      for (const p of policies) expect(p.properties?.allow).toBe(false);
    });

    it('app settings: identity only, none of the settings Flex rejects, Entra auth for Application Insights', () => {
      const settings = appSettings();
      for (const name of ['FUNCTIONS_WORKER_RUNTIME', 'FUNCTIONS_EXTENSION_VERSION', 'WEBSITE_RUN_FROM_PACKAGE', 'AzureWebJobsStorage']) {
        expect(settings).not.toHaveProperty(name);
      }
      expect(settings).toMatchObject({
        AzureWebJobsStorage__credential: 'managedidentity',
        EventHubConnection__credential: 'managedidentity',
        TablesConnection__credential: 'managedidentity',
      });
      for (const key of ['AzureWebJobsStorage__clientId', 'AzureWebJobsStorage__blobServiceUri', 'AZURE_CLIENT_ID', 'APPLICATIONINSIGHTS_CONNECTION_STRING']) {
        expect(settings).toHaveProperty(key);
      }
      expect(String(settings.APPLICATIONINSIGHTS_AUTHENTICATION_STRING)).toMatch(/ClientId=.*;Authorization=AAD/);
      for (const value of Object.values(settings)) {
        expect(String(value)).not.toMatch(/AccountKey=|SharedAccessKey=|SharedAccessSignature=/i);
      }
      const ai = one('Microsoft.Insights/components');
      expect(ai.properties).toMatchObject({ DisableLocalAuth: true });
      expect(String(ai.properties?.WorkspaceResourceId)).toContain('Microsoft.OperationalInsights/workspaces');
    });

    it('sign-in: Entra ID bearer tokens for the API app registration, in the tenant of the deployment', () => {
      const settings = appSettings();
      expect(settings).toMatchObject({ AUTH_MODE: 'entra', AUTH_ENTRA_CLIENT_ID: TEST_API_CLIENT, AUTH_ENTRA_TENANT_ID: SUBSCRIPTION });
      // The same values pass the app's own validation of its settings (as on Azure, where WEBSITE_SITE_NAME is set).
      const auth = Object.fromEntries(Object.entries(settings).filter(([name]) => name.startsWith('AUTH_'))) as Record<string, string>;
      const parsed = parseConfig({ ...auth, WEBSITE_SITE_NAME: 'func-cafe-ci', EventHubConnection: 'LocalEventLog=http://127.0.0.1:9', TablesConnection: 'UseDevelopmentStorage=true' });
      expect(parsed.auth).toMatchObject({ mode: 'entra', audience: TEST_API_CLIENT, issuer: `https://login.microsoftonline.com/${SUBSCRIPTION}/v2.0` });
    });

    it('role assignments: only data-plane roles, Event Hubs roles on the hub, nothing that manages', () => {
      const assignments = ofType('Microsoft.Authorization/roleAssignments').map((a) => ({
        scope: a.id.split('/providers/Microsoft.Authorization/')[0]!,
        role: lastSegment(String(a.properties?.roleDefinitionId)),
        principalType: String(a.properties?.principalType),
        principalId: String(a.properties?.principalId),
      }));
      const app = assignments.filter((a) => a.principalType === 'ServicePrincipal' && a.principalId !== PIPELINE_PRINCIPAL);
      expect(sorted(app.map((a) => a.role))).toEqual(
        sorted([
          ROLE.eventHubsDataSender,
          ROLE.eventHubsDataReceiver,
          ROLE.storageBlobDataOwner,
          ROLE.storageTableDataContributor,
          ROLE.monitoringMetricsPublisher,
        ]),
      );
      const allowed = new Set(Object.values(ROLE).filter((r) => r !== ROLE.eventHubsDataOwner));
      for (const a of assignments) {
        expect(allowed.has(a.role), `role ${a.role} at ${a.scope}`).toBe(true);
        if (a.role === ROLE.eventHubsDataSender || a.role === ROLE.eventHubsDataReceiver) {
          expect(a.scope).toMatch(new RegExp(`/eventhubs/${EVENT_HUB}$`));
        }
      }
      const deployer = assignments.filter((a) => a.principalId === TEST_PRINCIPAL);
      expect(deployer.length).toBeGreaterThan(0);
      expect(deployer.every((a) => a.principalType === 'User')).toBe(true);
    });
  });

  describe('monitoring', () => {
    it('alerts on function failures, dead-lettered and unparked events, throttling, backlog and low stock', () => {
      const queries = ofType('Microsoft.Insights/scheduledQueryRules').map((r) =>
        JSON.stringify((r.properties?.criteria as { allOf: Array<{ query: string }> }).allOf.map((c) => c.query)),
      );
      expect(queries.some((q) => q.includes('success == false'))).toBe(true);
      // Dead-lettered and unparked events are counted from the app's metrics, which are never sampled.
      expect(queries.some((q) => q.includes('customMetrics') && q.includes(`name == \\"${METRICS.deadLettered}\\"`))).toBe(true);
      expect(queries.some((q) => q.includes('customMetrics') && q.includes(`name == \\"${METRICS.unparked}\\"`))).toBe(true);
      expect(queries.some((q) => q.includes('IncomingMessages') && q.includes('OutgoingMessages'))).toBe(true);
      // The line the orders sweep logs once per order still brewing past its deadline (functions/orders/sweep.ts).
      expect(queries.some((q) => q.includes('startswith \\"stuck brewing\\"') && q.includes('severityLevel >= 3'))).toBe(true);
      // The line the inventory logs, at warning level, for each StockLow it publishes (functions/inventory/lowStock.ts).
      expect(queries.some((q) => q.includes(`startswith \\"${STOCK_LOW_LOG}\\"`) && q.includes('severityLevel >= 2') && q.includes('by storeId'))).toBe(true);
      const metrics = ofType('Microsoft.Insights/metricAlerts').map((r) => JSON.stringify(r.properties?.criteria));
      expect(metrics.some((m) => m.includes('ThrottledRequests'))).toBe(true);
      expect(metrics.some((m) => m.includes('IncomingMessages') && m.includes('OutgoingMessages'))).toBe(true);
    });

    it('lets the first deployment create the backlog alert although its table does not exist yet (no query validation)', () => {
      const rules = ofType('Microsoft.Insights/scheduledQueryRules');
      const backlog = rules.filter((r) => JSON.stringify(r.properties?.criteria).includes('AzureMetrics'));
      expect(backlog).toHaveLength(1);
      expect(backlog[0]!.properties?.skipQueryValidation).toBe(true);
    });

    it('sends the function app, the storage account (and its blob and table services) and the namespace diagnostics to the workspace', () => {
      const settings = ofType('Microsoft.Insights/diagnosticSettings');
      const scoped = (pattern: RegExp) => settings.filter((d) => pattern.test(d.id.split('/providers/Microsoft.Insights/')[0]!));
      const expectations: [string, RegExp, boolean][] = [
        ['function app', /\/providers\/Microsoft\.Web\/sites\/[^/]+$/i, true],
        ['storage account', /\/providers\/Microsoft\.Storage\/storageAccounts\/[^/]+$/i, false],
        ['blob service', /\/storageAccounts\/[^/]+\/blobServices\/default$/i, true],
        ['table service', /\/storageAccounts\/[^/]+\/tableServices\/default$/i, true],
        ['Event Hubs namespace', /\/providers\/Microsoft\.EventHub\/namespaces\/[^/]+$/i, true],
      ];
      const namespaceSetting = scoped(/\/providers\/Microsoft\.EventHub\/namespaces\/[^/]+$/i)[0];
      const workspaceOfNamespace = (namespaceSetting?.properties as { workspaceId?: string } | undefined)?.workspaceId;
      expect(workspaceOfNamespace).toMatch(/monitoring|Microsoft\.OperationalInsights\/workspaces/);
      for (const [what, pattern, withLogs] of expectations) {
        const found = scoped(pattern);
        expect(found, what).toHaveLength(1);
        const properties = found[0]!.properties as { workspaceId?: string; logs?: { enabled: boolean }[]; metrics?: { enabled: boolean }[] };
        // the workspace of monitoring.bicep, the one the namespace's setting (and the alerts) use
        expect(properties.workspaceId, what).toBe(workspaceOfNamespace);
        expect(properties.metrics?.some((m) => m.enabled), what).toBe(true);
        if (withLogs) expect(properties.logs?.some((l) => l.enabled), what).toBe(true);
      }
    });

    it('gives the deploy pipeline Event Hubs Data Receiver on the hub, and nothing else', () => {
      const pipeline = ofType('Microsoft.Authorization/roleAssignments').filter((a) => a.properties?.principalId === PIPELINE_PRINCIPAL);
      expect(pipeline).toHaveLength(1);
      expect(lastSegment(String(pipeline[0]!.properties?.roleDefinitionId))).toBe(ROLE.eventHubsDataReceiver);
      expect(pipeline[0]!.properties?.principalType).toBe('ServicePrincipal');
      expect(pipeline[0]!.id.split('/providers/Microsoft.Authorization/')[0]).toMatch(new RegExp(`/eventhubs/${EVENT_HUB}$`));
    });

    it('has a workbook with orders per minute, cancellations, saga latency, consumer lag, dead letters and per-function failures', () => {
      const workbook = one('Microsoft.Insights/workbooks');
      const data = JSON.parse(String(workbook.properties?.serializedData)) as {
        version: string;
        items: Array<{ type: number; content: { query?: string } }>;
      };
      expect(data.version).toBe('Notebook/1.0');
      const queries = data.items.map((i) => i.content.query ?? '').join('\n');
      // The counts come from the business metrics (customMetrics, never sampled), not from sampled log lines.
      for (const name of [METRICS.placed, METRICS.completed, METRICS.cancelled, METRICS.sagaLatency, METRICS.consumerLag, METRICS.deadLettered]) {
        expect(queries, name).toContain(`"${name}"`);
      }
      expect(queries).toContain('customDimensions.reason');
      expect(queries).not.toMatch(/\btraces\b/);
      expect(queries).toContain('by functionName = operation_Name');
    });

    it('queries no metric the app does not record (shared/metrics.ts names them)', () => {
      const text = ['infra/modules/alerts.bicep', 'infra/modules/workbook.bicep'].map((file) => readFileSync(path.join(ROOT, file), 'utf8')).join('\n');
      const queried = new Set([...text.matchAll(/"(cafe\.[a-z_.]+)"/g)].map((m) => m[1]!));
      expect(queried.size).toBeGreaterThan(0);
      expect([...queried].filter((name) => !(Object.values(METRICS) as string[]).includes(name))).toEqual([]);
    });
  });
});

// ---------------------------------------------------------------------------------------------------------
// A deployment that works the first time: the workflow, azd, the package, the Bicep CLI and the emulators

const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');

/** A workflow's text before `jobs:`, and each job's block (the lines under `  <name>:`). */
function workflowParts(text: string): { top: string; jobs: Map<string, string> } {
  const [top, rest = ''] = text.split(/^jobs:\s*$/m) as [string, string?];
  const jobs = new Map<string, string>();
  let current: string | undefined;
  for (const line of rest.split('\n')) {
    const start = /^ {2}([A-Za-z0-9_-]+):\s*$/.exec(line);
    if (start) current = start[1]!;
    else if (current) jobs.set(current, `${jobs.get(current) ?? ''}${line}\n`);
  }
  return { top, jobs };
}

describe('.github/workflows/deploy.yml', () => {
  const { top, jobs } = workflowParts(read('.github/workflows/deploy.yml'));
  const deploying = [...jobs].filter(([, body]) => body.includes('azure/login@'));
  const deploy = deploying[0]?.[1] ?? '';
  const stepIndex = (pattern: RegExp) => deploy.split(/^ {6}- /m).findIndex((step) => pattern.test(step));

  it('grants id-token: write to the deploying job only, which runs in a (protected) GitHub environment', () => {
    expect(top).toMatch(/^permissions:\s*\n\s+contents: read\s*$/m);
    expect(top.replace(/^#.*$/gm, '')).not.toContain('id-token');
    expect(deploying).toHaveLength(1);
    expect(deploy).toMatch(/^ {4}environment: production\s*$/m);
    expect(deploy).toMatch(/^ {4}permissions:\s*\n {6}contents: read\s*\n {6}id-token: write\s*$/m);
    for (const [name, body] of jobs) {
      if (body !== deploy) expect(body, name).not.toContain('id-token');
    }
    expect(jobs.get('verify')).toContain('npm ci');
  });

  it('registers Microsoft.App before provisioning', () => {
    const register = stepIndex(/scripts\/register-providers\.sh/);
    expect(register).toBeGreaterThan(0);
    expect(register).toBeLessThan(stepIndex(/az deployment sub create/));
    expect(read('scripts/register-providers.sh')).toMatch(/PROVIDERS=\([^)]*\bMicrosoft\.App\b/);
  });

  it('runs azd and role assignments as a service principal in CI', () => {
    expect(deploy).toMatch(/^ {6}AZURE_PRINCIPAL_TYPE: ServicePrincipal\s*$/m);
    expect(deploy).toContain('deployPipelinePrincipalId="$pipeline_oid"');
  });

  it('deploys a package staged with production dependencies only', () => {
    expect(deploy).toMatch(/node scripts\/stage-package\.mjs "\$RUNNER_TEMP\/package"/);
    expect(deploy).toContain('package: ${{ runner.temp }}/package');
    expect(deploy).not.toMatch(/cp -r node_modules|npm prune/);
  });

  it('compiles the template with the pinned Bicep CLI (scripts/bicep.sh), not the runner\'s', () => {
    expect(deploy).toMatch(/bash scripts\/bicep\.sh build infra\/main\.bicep --outfile "\$RUNNER_TEMP\/main\.json"/);
    expect(deploy).toContain('--template-file "$RUNNER_TEMP/main.json"');
    expect(deploy).not.toMatch(/--template-file\s+infra\//);
    expect(jobs.get('verify')).toContain('npm run check:infra');
  });

  it('smoke-tests with a token for the API and reads the order\'s events through the Kafka endpoint', () => {
    expect(deploy).toContain('SMOKE_TOKEN_RESOURCE: ${{ vars.AUTH_CLIENT_ID }}');
    expect(deploy).toContain('SMOKE_EVENTHUBS_NAMESPACE: ${{ steps.provision.outputs.eventhubs-namespace }}');
    expect(deploy).toContain('bash scripts/smoke-test.sh');
    const smoke = read('scripts/smoke-test.sh');
    expect(smoke).toContain('az account get-access-token --resource "$SMOKE_TOKEN_RESOURCE"');
    expect(smoke).toContain('Authorization: Bearer $TOKEN');
    expect(smoke).toMatch(/events\.mjs" tail "\$\{where\[@\]\}" --from-beginning --order "\$order_id"/);
  });
});

describe('host.json', () => {
  it('has the host export OpenTelemetry (one trace with the app\'s spans), with no classic sampling left to cut counts', () => {
    const host = JSON.parse(read('host.json')) as { telemetryMode?: string; logging?: { applicationInsights?: unknown } };
    expect(host.telemetryMode).toBe('OpenTelemetry');
    expect(host.logging?.applicationInsights).toBeUndefined();
  });
});

describe('azure.yaml (azd)', () => {
  const azure = read('azure.yaml');

  it('registers the resource providers before provisioning', () => {
    expect(azure).toMatch(/^hooks:\s*\n(?: {2}#.*\n)* {2}preprovision:\s*\n {4}shell: sh\s*\n {4}run: bash scripts\/register-providers\.sh\s*$/m);
  });

  it('deploys the staged package (production dependencies only)', () => {
    expect(azure).toMatch(/^ {4}dist: \.deploy\/package\s*$/m);
    expect(azure).toMatch(/^ {6}prepackage:\s*\n {8}shell: sh\s*\n {8}run: node scripts\/stage-package\.mjs \.deploy\/package\s*$/m);
  });
});

describe('scripts/stage-package.mjs', () => {
  it('stages the app with its production dependencies only, and the app loads from it', () => {
    const out = mkdtempSync(path.join(tmpdir(), 'cafe-package-'));
    try {
      const staged = spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'stage-package.mjs'), out], { cwd: ROOT, encoding: 'utf8' });
      expect(staged.status, staged.stderr).toBe(0);
      const pkg = JSON.parse(read('package.json')) as { dependencies: Record<string, string>; devDependencies: Record<string, string> };
      for (const dep of Object.keys(pkg.dependencies)) expect(existsSync(path.join(out, 'node_modules', dep)), dep).toBe(true);
      for (const dev of Object.keys(pkg.devDependencies)) expect(existsSync(path.join(out, 'node_modules', dev)), dev).toBe(false);
      for (const absent of ['functions', 'shared', 'local-host', 'test', 'tools', 'dist/local-host', 'dist/tools']) {
        expect(existsSync(path.join(out, absent)), absent).toBe(false);
      }
      // In a process of its own (the function registry is one per process), from the staged folder alone.
      const loader = path.join(ROOT, 'dist', 'local-host', 'src', 'appLoader.js');
      const loaded = spawnSync(
        process.execPath,
        ['-e', `require(${JSON.stringify(loader)}).loadFunctionApp(process.argv[1], () => {}).then((app) => console.log(JSON.stringify(app.functions.map((f) => f.name))))`, out],
        { cwd: out, encoding: 'utf8', env: { ...process.env, EventHubConnection: 'LocalEventLog=http://127.0.0.1:9', TablesConnection: 'UseDevelopmentStorage=true' } },
      );
      expect(loaded.status, loaded.stderr).toBe(0);
      expect(sorted(JSON.parse(loaded.stdout) as string[])).toEqual(sorted(functions.map((f) => f.name)));
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }, 120_000);
});

describe.skipIf(skipBicep)('scripts/bicep.sh', () => {
  const pinned = /^BICEP_VERSION="\$\{BICEP_VERSION:-([0-9.]+)\}"$/m.exec(read('scripts/bicep.sh'))?.[1];

  it('runs the pinned version even when the runner has another bicep on PATH', () => {
    expect(pinned).toMatch(/^\d+\.\d+\.\d+$/);
    const dir = mkdtempSync(path.join(tmpdir(), 'cafe-fake-bicep-'));
    try {
      writeFileSync(path.join(dir, 'bicep'), '#!/bin/sh\necho "Bicep CLI version 0.1.0 (runner)"\n', { mode: 0o755 });
      const env: NodeJS.ProcessEnv = { ...process.env, PATH: `${dir}:${process.env.PATH ?? ''}` };
      delete env.BICEP_CLI;
      const version = spawnSync('bash', [path.join(ROOT, 'scripts', 'bicep.sh'), '--version'], { cwd: ROOT, encoding: 'utf8', env, timeout: 300_000 });
      expect(version.stdout).toContain(`Bicep CLI version ${pinned} `);
      expect(version.stderr).toContain('ignoring');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 300_000);
});

describe('docker-compose.yml', () => {
  const compose = read('docker-compose.yml');

  it('pins every image to a version', () => {
    const images = [...compose.matchAll(/^\s+image: (\S+)$/gm)].map((m) => m[1]!);
    expect(images.length).toBeGreaterThanOrEqual(2);
    for (const image of images) expect(image, image).toMatch(/:\d+(\.\d+)+$/);
    expect(images).toContain('mcr.microsoft.com/azure-messaging/eventhubs-emulator:2.1.0');
  });

  it('starts the emulator once Azurite is healthy, and reports the emulator healthy only when its health endpoint answers', () => {
    expect(compose).toMatch(/ {2}eventhubs:\n(?:.*\n)*? {4}depends_on:\n {6}azurite:\n {8}condition: service_healthy\n/);
    expect(compose).toMatch(/ {2}azurite:\n(?:.*\n)*? {4}healthcheck:\n/);
    expect(compose).toMatch(/ {2}eventhubs-health:\n(?:.*\n)*? {4}healthcheck:\n(?:.*\n)*?.*http:\/\/eventhubs:5300\/health/);
    expect(compose).toContain('docker compose up -d --wait');
  });
});
