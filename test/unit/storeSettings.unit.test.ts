import { describe, expect, it } from 'vitest';
import { StoreSettingsPatch, applyMergePatch, sameSettings } from '../../functions/stores/patch';
import { DEFAULT_STORE_SETTINGS, StoreSettings, drinkSeconds, fromRow, orderBrewSeconds, toRow } from '../../shared/storeSettings';

const configured: StoreSettings = {
  ...DEFAULT_STORE_SETTINGS,
  open: false,
  machines: 2,
  maxOrdersInFlight: 10,
  unavailable: ['iced-tea'],
  brewSeconds: { americano: 40, 'cafe-latte': 60 },
  timeZone: 'Asia/Seoul',
};

const patched = (current: StoreSettings, patch: unknown) => applyMergePatch(current, StoreSettingsPatch.parse(patch));

describe('store settings as stored', () => {
  it('reads a store never configured as open with no limits', () => {
    expect(fromRow(undefined)).toEqual({ open: true, machines: null, maxOrdersInFlight: null, maxOpenOrdersPerCustomer: null, lowStockCups: null, unavailable: [], brewSeconds: {}, timeZone: 'UTC' });
  });

  it('reads back what it wrote', () => {
    const row = toRow('main', configured, new Date('2026-11-27T09:00:00.000Z'));
    expect(row).toMatchObject({ partitionKey: 'main', rowKey: 'settings', updatedAt: '2026-11-27T09:00:00.000Z' });
    expect(fromRow(row)).toEqual(configured);
  });

  it('keeps the fields that still validate and defaults the others (a drink withdrawn, a field added later)', () => {
    const row = { settings: JSON.stringify({ open: false, unavailable: ['espresso-tonic'], machines: 3, maxOrdersInFlight: 'many' }) };
    expect(fromRow(row)).toEqual({ ...DEFAULT_STORE_SETTINGS, open: false, machines: 3 });
    expect(fromRow({ settings: 'not json' })).toEqual(DEFAULT_STORE_SETTINGS);
  });

  it('times an order by the store’s own brewing times, the app’s default for the other drinks', () => {
    expect(drinkSeconds(configured, 'americano', 3)).toBe(40);
    expect(drinkSeconds(configured, 'iced-tea', 3)).toBe(3);
    expect(orderBrewSeconds(configured, [{ menuItemId: 'americano', quantity: 2 }, { menuItemId: 'iced-tea', quantity: 1 }], 3)).toBe(83);
  });

  it('refuses settings that are not valid', () => {
    expect(StoreSettings.safeParse({ ...DEFAULT_STORE_SETTINGS, timeZone: 'Mars/Olympus' }).success).toBe(false);
    expect(StoreSettings.safeParse({ ...DEFAULT_STORE_SETTINGS, unavailable: ['americano', 'americano'] }).success).toBe(false);
    expect(StoreSettings.safeParse({ ...DEFAULT_STORE_SETTINGS, machines: 0 }).success).toBe(false);
  });
});

describe('a JSON Merge Patch of the settings', () => {
  it('changes only the fields it names', () => {
    expect(patched(configured, { open: true, maxOpenOrdersPerCustomer: 2 })).toEqual({ ...configured, open: true, maxOpenOrdersPerCustomer: 2 });
  });

  it('puts a field named with null back to its default', () => {
    expect(patched(configured, { open: null, machines: null, unavailable: null, timeZone: null })).toEqual({
      ...configured,
      open: true,
      machines: null,
      unavailable: [],
      timeZone: 'UTC',
    });
    expect(patched(configured, { brewSeconds: null }).brewSeconds).toEqual({});
  });

  it('merges brewing times per drink: a number sets it, null drops it, the others stay', () => {
    expect(patched(configured, { brewSeconds: { americano: 30, 'cafe-latte': null, 'iced-tea': 20 } }).brewSeconds).toEqual({ americano: 30, 'iced-tea': 20 });
  });

  it('replaces the sold-out list as a whole (a merge patch replaces arrays)', () => {
    expect(patched(configured, { unavailable: ['americano'] }).unavailable).toEqual(['americano']);
  });

  it('does not change the settings it was applied to', () => {
    const before = structuredClone(configured);
    patched(configured, { brewSeconds: { americano: null }, open: true });
    expect(configured).toEqual(before);
  });

  it.each([
    ['an unknown field', { opened: true }, 'opened'],
    ['an unknown drink in brewSeconds', { brewSeconds: { espresso: 20 } }, 'brewSeconds.espresso'],
    ['an unknown drink in the sold-out list', { unavailable: ['espresso'] }, 'unavailable.0'],
    ['zero machines', { machines: 0 }, 'machines'],
    ['a fractional limit', { maxOrdersInFlight: 2.5 }, 'maxOrdersInFlight'],
    ['a negative brewing time', { brewSeconds: { americano: -1 } }, 'brewSeconds.americano'],
    ['a time zone that does not exist', { timeZone: 'Asia/Atlantis' }, 'timeZone'],
    ['open as a string', { open: 'yes' }, 'open'],
  ])('refuses %s', (_what, patch, path) => {
    const parsed = StoreSettingsPatch.safeParse(patch);
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues.map((issue) => [...issue.path, ...('keys' in issue ? issue.keys : [])].join('.'))).toContain(path);
  });

  it('tells a patch that changes nothing from one that does', () => {
    expect(sameSettings(configured, patched(configured, {}))).toBe(true);
    expect(sameSettings(configured, patched(configured, { open: false, brewSeconds: { americano: 40 } }))).toBe(true);
    expect(sameSettings(configured, patched(configured, { open: true }))).toBe(false);
  });
});
