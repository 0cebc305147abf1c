// Types for session.js (plain JS served to the browser as is), for the TypeScript tests.
export interface RandomSource { getRandomValues(array: Uint8Array): unknown; randomUUID?: () => string }
export interface KeyValueStorage { getItem(key: string): string | null; setItem(key: string, value: string): void }
export const DEFAULT_STORE: string;
export const CUSTOMER_KEY: string;
export function storeFromSearch(search: string | undefined): string;
export function randomToken(cryptoLike: RandomSource, length?: number): string;
export function customerIdFor(storage: KeyValueStorage | undefined, cryptoLike: RandomSource): string;
export function newIdempotencyKey(cryptoLike: RandomSource): string;
