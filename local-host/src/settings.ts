import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * App settings as `func start` builds them: the `Values` of local.settings.json, where the process
 * environment wins. Connection settings are then pointed at this host's own Azurite and event log.
 */
export function readLocalSettings(root: string): Record<string, string> {
  const file = path.join(root, 'local.settings.json');
  if (!existsSync(file)) return {};
  const parsed = JSON.parse(readFileSync(file, 'utf8')) as { Values?: Record<string, unknown> };
  return Object.fromEntries(Object.entries(parsed.Values ?? {}).map(([k, v]) => [k, String(v)]));
}

export function readHostJson(root: string): { routePrefix: string; maxEventBatchSize: number } {
  const file = path.join(root, 'host.json');
  const host = existsSync(file)
    ? (JSON.parse(readFileSync(file, 'utf8')) as { extensions?: { http?: { routePrefix?: string }; eventHubs?: { maxEventBatchSize?: number } } })
    : {};
  return {
    routePrefix: host.extensions?.http?.routePrefix ?? 'api',
    maxEventBatchSize: host.extensions?.eventHubs?.maxEventBatchSize ?? 100,
  };
}

/** `AzureWebJobs.<name>.Disabled`, also spelled with `__` where dots cannot be used in a variable name. */
export function isDisabled(settings: Record<string, string | undefined>, functionName: string): boolean {
  const value = settings[`AzureWebJobs.${functionName}.Disabled`] ?? settings[`AzureWebJobs__${functionName}__Disabled`];
  return value !== undefined && /^(true|1)$/i.test(value.trim());
}

/** CAFE_EVENTHUB_RETENTION_HOURS: how long the local hub keeps events readable (default: Bicep's retention). */
export function retentionHoursOf(settings: Record<string, string | undefined>, fallback: number): number {
  const raw = settings.CAFE_EVENTHUB_RETENTION_HOURS;
  if (raw === undefined || raw.trim() === '') return fallback;
  const hours = Number(raw);
  if (!Number.isFinite(hours) || hours <= 0) throw new Error(`CAFE_EVENTHUB_RETENTION_HOURS must be a positive number of hours, not "${raw}"`);
  return hours;
}

/**
 * A fault-injection setting: `true` (every batch), `false` or unset (none), or the share of batches
 * from 0 to 1 (e.g. `0.1`), so a long run can have the fault now and then without its cost throughout.
 */
export function faultShareOf(settings: Record<string, string | undefined>, name: string): number {
  const raw = settings[name]?.trim();
  if (raw === undefined || raw === '' || /^false$/i.test(raw)) return 0;
  if (/^true$/i.test(raw)) return 1;
  const share = Number(raw);
  if (!Number.isFinite(share) || share < 0 || share > 1) throw new Error(`${name} must be true, false or a share from 0 to 1, not "${raw}"`);
  return share;
}
