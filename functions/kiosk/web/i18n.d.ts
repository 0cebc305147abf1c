// Types for i18n.js (plain JS served to the browser as is), for the TypeScript tests.
export type Language = 'en' | 'ko';
export const LANGUAGES: Language[];
export const STRINGS: Record<Language, Record<string, string>>;
export function normalizeLanguage(value: unknown): Language | undefined;
export function chooseLanguage(search: string | undefined, browserLanguages: readonly string[] | undefined): Language;
export function t(lang: Language, key: string, params?: Record<string, string | number>): string;
export function localeOf(lang: string): string;
export function formatWon(amount: number, lang: Language): string;
export function drinkName(item: { name: string; nameKo?: string } | undefined, lang: Language): string;
export function formatTime(iso: string, lang: Language): string;
