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

  it('writes won the way each language does, whole won only', () => {
    // English: the currency sign, as the platform writes KRW for en-US
    expect(formatWon(4500, 'en')).toBe('₩4,500');
    expect(formatWon(0, 'en')).toBe('₩0');
    expect(formatWon(1_234_567, 'en')).toBe('₩1,234,567');
    expect(formatWon(5000, 'en')).toBe(new Intl.NumberFormat('en-US', { style: 'currency', currency: 'KRW' }).format(5000));
    // Korean: the number with ko-KR grouping, then 원, as Korean cafe menus write prices
    expect(formatWon(4500, 'ko')).toBe('4,500원');
    expect(formatWon(18500, 'ko')).toBe('18,500원');
    expect(formatWon(0, 'ko')).toBe('0원');
    expect(formatWon(1_234_567, 'ko')).toBe('1,234,567원');
    expect(formatWon(5000, 'ko')).toBe(`${new Intl.NumberFormat('ko-KR').format(5000)}원`);
    // no fractions of a won in either language
    expect(formatWon(4500.4, 'ko')).toBe('4,500원');
    expect(formatWon(4500.4, 'en')).toBe('₩4,500');
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
