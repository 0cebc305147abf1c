/** Who may do what: pure decisions, tested without tokens or storage. */

export const ROLES = ['staff', 'operator'] as const;
export type Role = (typeof ROLES)[number];

/** A signed-in caller (or, with AUTH_MODE=off, the open door that stands for everyone). */
export interface Caller {
  /** Stable id: Entra object id (`oid`), or the local token's subject. */
  id: string;
  name?: string;
  roles: readonly Role[];
  /** The stores a staff member serves; operators serve every store. */
  stores: 'all' | readonly string[];
  /** False only for the stand-in caller of AUTH_MODE=off. */
  authenticated: boolean;
}

/** What one request needs. A staff requirement may name the store the request acts on. */
export type Requirement = { kind: 'anyone' } | { kind: 'staff'; store?: string } | { kind: 'operator' };

export type Decision = { allowed: true } | { allowed: false; status: 401 | 403; detail: string };

/** Everyone, with AUTH_MODE=off: the seed walkthrough and local development need no sign-in. */
export const OPEN_CALLER: Caller = Object.freeze({ id: 'anonymous (AUTH_MODE=off)', roles: ['operator'] as Role[], stores: 'all' as const, authenticated: false });

export const isOperator = (caller: Caller) => caller.roles.includes('operator');

/** The stores a caller's lists are limited to. */
export function storeScope(caller: Caller): 'all' | readonly string[] {
  return isOperator(caller) || caller.stores === 'all' ? 'all' : caller.stores;
}

export function serves(caller: Caller, storeId: string): boolean {
  const scope = storeScope(caller);
  return scope === 'all' || scope.includes(storeId);
}

/** Decides one request: 401 without an identity, 403 for the wrong role or store. */
export function decide(requirement: Requirement, caller: Caller | undefined): Decision {
  if (requirement.kind === 'anyone') return { allowed: true };
  if (!caller) return { allowed: false, status: 401, detail: 'Sign in: this route needs a bearer token.' };
  if (requirement.kind === 'operator') {
    return isOperator(caller) ? { allowed: true } : { allowed: false, status: 403, detail: 'Only operators may do this.' };
  }
  if (!isOperator(caller) && !caller.roles.includes('staff')) {
    return { allowed: false, status: 403, detail: 'Only staff and operators may do this.' };
  }
  if (requirement.store !== undefined && !serves(caller, requirement.store)) {
    return { allowed: false, status: 403, detail: `You do not serve store ${requirement.store}.` };
  }
  return { allowed: true };
}

/** Role names from a token: Entra app role values are `Staff` and `Operator`, local tokens say `staff`, `operator`. */
export function rolesFrom(claim: unknown): Role[] {
  if (!Array.isArray(claim)) return [];
  const names = claim.filter((r): r is string => typeof r === 'string').map((r) => r.toLowerCase());
  return ROLES.filter((role) => names.includes(role));
}
