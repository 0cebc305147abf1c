import { z } from 'zod';
import { DEFAULT_STORE_SETTINGS, DrinkSeconds, StoreSettings } from '../../shared/storeSettings';

const fields = StoreSettings.shape;

/**
 * A JSON Merge Patch (RFC 7396) of a store's settings: only the fields to change; `null` puts a field
 * back to its default; `brewSeconds` merges per menu item, and `null` for an item drops its own time.
 * Strict at every depth, so a misspelt field is a 400 rather than a change silently not made.
 */
export const StoreSettingsPatch = z.strictObject({
  open: fields.open.nullable().optional(),
  machines: fields.machines.optional(),
  maxOrdersInFlight: fields.maxOrdersInFlight.optional(),
  maxOpenOrdersPerCustomer: fields.maxOpenOrdersPerCustomer.optional(),
  lowStockCups: fields.lowStockCups.optional(),
  unavailable: fields.unavailable.nullable().optional(),
  brewSeconds: z.partialRecord(fields.brewSeconds.keyType, DrinkSeconds.nullable()).nullable().optional(),
  timeZone: fields.timeZone.nullable().optional(),
});
export type StoreSettingsPatch = z.infer<typeof StoreSettingsPatch>;

/**
 * The settings after the patch; the caller validates the result as a whole (a patch of valid fields
 * always gives valid settings today, but the check keeps it so as rules across fields are added).
 */
export function applyMergePatch(current: StoreSettings, patch: StoreSettingsPatch): StoreSettings {
  const next: Record<string, unknown> = { ...current };
  for (const [name, value] of Object.entries(patch) as [keyof StoreSettings, unknown][]) {
    if (value === undefined) continue;
    if (name === 'brewSeconds' && value !== null) {
      next.brewSeconds = mergeBrewSeconds(current.brewSeconds, value as NonNullable<StoreSettingsPatch['brewSeconds']>);
    } else {
      next[name] = value === null ? DEFAULT_STORE_SETTINGS[name] : value;
    }
  }
  return next as StoreSettings;
}

function mergeBrewSeconds(current: StoreSettings['brewSeconds'], patch: NonNullable<StoreSettingsPatch['brewSeconds']>): StoreSettings['brewSeconds'] {
  const merged: Record<string, number> = { ...current } as Record<string, number>;
  for (const [item, seconds] of Object.entries(patch)) {
    if (seconds === null) delete merged[item];
    else if (seconds !== undefined) merged[item] = seconds;
  }
  return merged;
}

/** Whether the patch changes anything: an empty or no-op patch writes nothing. */
export function sameSettings(a: StoreSettings, b: StoreSettings): boolean {
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

function canonical(settings: StoreSettings): StoreSettings {
  const brewSeconds = Object.fromEntries(Object.entries(settings.brewSeconds).sort(([x], [y]) => x.localeCompare(y)));
  return { ...settings, unavailable: [...settings.unavailable].sort(), brewSeconds };
}
