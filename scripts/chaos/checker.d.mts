export type Status = 'pending' | 'accepted' | 'brewing' | 'completed' | 'cancelled';
export interface Read { start: number; end: number; status: Status | 404 }
export interface CheckInput {
  orders: Array<{ key: string; customerId: string; storeId: string; answered: Record<string, number>; found?: string[] }>;
  finals: Record<string, { status: Status | 404 | string; storeId?: string; cups?: number; notifications?: string[]; beverages?: string[]; kiosk?: string | 404 }>;
  reads: Map<string, Read[]>;
  stores: Array<{ storeId: string; initial: number; restocked: number; final?: number }>;
  negativeStockReads: number;
  failures: Array<{ start: number; end: number; method: string; path: string; status?: number; error?: string }>;
  windows: Array<{ kind: string; start: number; end: number }>;
  graceMs: number;
  faultsNotApplied: string[];
}
export interface CheckResult { ok: boolean; metrics: Array<{ name: string; value: number }>; detail: Record<string, unknown[]> }
export const RANK: Record<Status, number>;
export const FINAL: Set<string>;
export function backwardReads(reads: Read[]): Array<{ earlier: Read; later: Read }>;
export function inFaultWindow(windows: Array<{ start: number; end: number }>, start: number, end: number, graceMs: number): boolean;
export function check(input: CheckInput): CheckResult;
