import { describe, expect, it } from 'vitest';
import { chooseLanguage, drinkName, formatWon, normalizeLanguage, STRINGS, t } from '../../functions/kiosk/web/i18n.js';
import { MENU } from '../../shared/menu';

describe('kiosk languages', () => {
  it('follows ?lang= first, then the browser, then English', () => {
    expect(chooseLanguage('?lang=ko', ['en-US'])).toBe('ko');
    expect(chooseLanguage('?store=main&lang=en', ['ko-KR'])).toBe('en');
    expect(chooseLanguage('?lang=KO', [])).toBe('ko');
    expect(chooseLanguage('', ['ko-KR', 'en-US'])).toBe('ko');
    expect(chooseLanguage('?lang=fr', ['fr-FR', 'ko'])).toBe('ko');
    expect(chooseLanguage('?lang=fr', ['fr-FR', 'de'])).toBe('en');
    expect(chooseLanguage(undefined, undefined)).toBe('en');
  });

  it('normalizes language tags', () => {
    expect(normalizeLanguage('ko-KR')).toBe('ko');
    expect(normalizeLanguage('en_GB')).toBe('en');
    expect(normalizeLanguage('ja')).toBeUndefined();
    expect(normalizeLanguage(undefined)).toBeUndefined();
  });

  it('has every English string in Korean too, with the same placeholders', () => {
    const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    for (const [key, english] of Object.entries(STRINGS.en)) {
      const korean = STRINGS.ko[key];
      expect(korean, key).toBeTypeOf('string');
      expect(placeholders(korean!), key).toEqual(placeholders(english));
    }
    expect(Object.keys(STRINGS.ko).sort()).toEqual(Object.keys(STRINGS.en).sort());
  });

  it('fills placeholders and keeps the stable English names the tests rely on', () => {
    expect(t('en', 'order.place')).toBe('Place order');
    expect(t('ko', 'order.place')).toBe('주문하기');
    expect(t('en', 'reason.out-of-cups')).toBe('Sorry, we are out of cups');
    expect(t('en', 'status.ready')).toBe('Ready to pick up');
    expect(t('en', 'cart.add', { name: 'Americano' })).toBe('One more Americano');
    expect(t('ko', 'staff.set.done', { store: 'main', cups: 3 })).toBe('main: 이제 컵 3개');
    expect(t('en', 'no.such.key')).toBe('no.such.key');
    expect(t('en', 'app.store')).toBe('Store: {store}');
  });

  it('writes won for each language, whole won only', () => {
    expect(formatWon(4500, 'en')).toBe('₩4,500');
    expect(formatWon(18500, 'ko')).toBe('₩18,500');
    expect(formatWon(0, 'en')).toBe('₩0');
    expect(formatWon(1_234_567, 'ko')).toBe('₩1,234,567');
    // the same as the platform's own KRW formatting for the locale
    expect(formatWon(5000, 'ko')).toBe(new Intl.NumberFormat('ko-KR', { style: 'currency', currency: 'KRW' }).format(5000));
    expect(formatWon(5000, 'en')).toBe(new Intl.NumberFormat('en-US', { style: 'currency', currency: 'KRW' }).format(5000));
  });

  it('names drinks in the language (English is exactly the menu name)', () => {
    for (const item of MENU) {
      expect(drinkName(item, 'en')).toBe(item.name);
      expect(drinkName(item, 'ko')).toBe(item.nameKo);
    }
    expect(drinkName({ name: 'New Drink' }, 'ko')).toBe('New Drink');
    expect(drinkName(undefined, 'en')).toBe('');
  });
});
