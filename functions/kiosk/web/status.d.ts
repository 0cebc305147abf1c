// Types for status.js (plain JS served to the browser as is), for the TypeScript tests.
export type OrderStatus = 'pending' | 'accepted' | 'brewing' | 'completed' | 'cancelled';
export interface StatusView { messageKey: string; helpKey?: string; tone: 'received' | 'preparing' | 'ready' | 'cancelled'; step: number; final: boolean }
export const PREPARING: OrderStatus[];
export const FINAL: OrderStatus[];
export function isFinal(status: string): boolean;
export function reasonKey(reason: string | undefined): string | undefined;
export function statusView(status: string, reason?: string): StatusView;
export function shortOrderNumber(orderId: string | undefined): string;
export function boardColumns(
  views: { code: string; status: string }[] | unknown,
  limit?: number,
): { preparing: { number: string }[]; ready: { number: string }[] };
export function staffStatusKey(status: string): string;
export function staffReasonKey(reason: string | undefined): string | undefined;
export function isLowStock(cups: number, threshold: number): boolean;
