import { describe, expect, it } from 'vitest';
import { DEFAULT_STORE_SETTINGS } from '../../shared/storeSettings';
import { DEFAULT_SETTINGS, isSoldOut, parseSettingsForm, readSettings, retryAfterSeconds, settingsPatch } from '../../functions/kiosk/web/store-settings.js';

const form = {
  open: true,
  machines: '',
  maxOrdersInFlight: '',
  maxOpenOrdersPerCustomer: '',
  lowStockCups: '',
  unavailable: [] as string[],
  brewSeconds: { americano: '', 'iced-tea': '' } as Record<string, string>,
  timeZone: 'UTC',
};

describe('store settings on the pages', () => {
  it("keeps the pages' defaults (plain JS, no build step) the same as the services'", () => {
    expect(DEFAULT_SETTINGS).toEqual(DEFAULT_STORE_SETTINGS);
  });

  it('reads an answer, defaults for anything missing or odd', () => {
    expect(readSettings(undefined)).toEqual(DEFAULT_SETTINGS);
    expect(readSettings({ open: false, machines: 2, unavailable: ['iced-tea', 3], brewSeconds: { americano: 30, latte: 'x' } })).toEqual({
      ...DEFAULT_SETTINGS,
      open: false,
      machines: 2,
      unavailable: ['iced-tea'],
      brewSeconds: { americano: 30 },
    });
  });

  it('knows a sold-out drink, and sells everything before the settings are read', () => {
    expect(isSoldOut(readSettings({ unavailable: ['iced-tea'] }), 'iced-tea')).toBe(true);
    expect(isSoldOut(readSettings({ unavailable: ['iced-tea'] }), 'americano')).toBe(false);
    expect(isSoldOut(undefined, 'iced-tea')).toBe(false);
  });

  it('reads Retry-After as seconds or as a date', () => {
    expect(retryAfterSeconds('20')).toBe(20);
    expect(retryAfterSeconds(new Date(Date.UTC(2026, 10, 27, 10, 0, 30)).toUTCString(), Date.UTC(2026, 10, 27, 10, 0, 0))).toBe(30);
    expect(retryAfterSeconds(null)).toBeUndefined();
    expect(retryAfterSeconds('soon')).toBeUndefined();
  });

  it('reads the staff form: empty boxes are no limit or the default, numbers within the server’s bounds', () => {
    expect(parseSettingsForm({ ...form, open: false, machines: '2', brewSeconds: { americano: '30', 'iced-tea': '' } })).toEqual({
      ok: true,
      settings: { ...DEFAULT_SETTINGS, open: false, machines: 2, brewSeconds: { americano: 30 } },
    });
    expect(parseSettingsForm({ ...form, maxOpenOrdersPerCustomer: '0' })).toMatchObject({ ok: false, field: 'maxOpenOrdersPerCustomer', params: { min: 1, max: 100000 } });
    expect(parseSettingsForm({ ...form, machines: '1.5' })).toMatchObject({ ok: false, field: 'machines' });
    expect(parseSettingsForm({ ...form, brewSeconds: { americano: '-1' } })).toMatchObject({ ok: false, field: 'brew-americano' });
  });

  it('patches only what changed, with null for a brewing time taken away', () => {
    const before = { ...DEFAULT_SETTINGS, maxOrdersInFlight: 7, unavailable: ['iced-tea'], brewSeconds: { americano: 30, 'cafe-latte': 50 } };
    expect(settingsPatch(before, { ...before })).toEqual({});
    expect(settingsPatch(before, { ...before, unavailable: ['iced-tea'] })).toEqual({});
    expect(settingsPatch(before, { ...before, open: false, maxOrdersInFlight: null, unavailable: [], brewSeconds: { americano: 40 } })).toEqual({
      open: false,
      maxOrdersInFlight: null,
      unavailable: [],
      brewSeconds: { americano: 40, 'cafe-latte': null },
    });
  });
});
