/**
 * HTTP route templates as the Functions host reads them (ASP.NET Core routing rules, the subset
 * Functions apps use): literal segments match case-insensitively; `{name}` takes one segment,
 * `{name?}` may be absent at the end, `{name:int}`-style constraints filter, `{*name}` takes the rest.
 * When several templates match, the most specific wins: literals before parameters before catch-alls.
 */

type Segment =
  | { kind: 'literal'; text: string }
  | { kind: 'param'; name: string; optional: boolean; constraints: string[] }
  | { kind: 'catchAll'; name: string };

export interface CompiledRoute<T> {
  template: string;
  segments: Segment[];
  methods: Set<string>;
  target: T;
}

const CONSTRAINTS: Record<string, (value: string, arg?: string) => boolean> = {
  int: (v) => /^-?\d+$/.test(v),
  long: (v) => /^-?\d+$/.test(v),
  bool: (v) => /^(true|false)$/i.test(v),
  guid: (v) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(v),
  alpha: (v) => /^[a-z]+$/i.test(v),
  double: (v) => v !== '' && !Number.isNaN(Number(v)),
  decimal: (v) => v !== '' && !Number.isNaN(Number(v)),
  minlength: (v, a) => v.length >= Number(a),
  maxlength: (v, a) => v.length <= Number(a),
  length: (v, a) => v.length === Number(a),
  min: (v, a) => Number(v) >= Number(a),
  max: (v, a) => Number(v) <= Number(a),
  regex: (v, a) => new RegExp(a ?? '').test(v),
};

function parseSegment(raw: string, template: string): Segment {
  const param = /^\{(\*?)([A-Za-z_][\w]*)(\?)?((?::[^}]+)*)\}$/.exec(raw);
  if (!param) {
    if (/[{}]/.test(raw)) throw new Error(`Unsupported route segment "${raw}" in "${template}"`);
    return { kind: 'literal', text: raw.toLowerCase() };
  }
  const [, star, name, optional, constraintText] = param;
  if (star) return { kind: 'catchAll', name: name! };
  const constraints = (constraintText ?? '').split(':').filter(Boolean);
  for (const c of constraints) {
    const key = c.replace(/\(.*\)$/, '').toLowerCase();
    if (!CONSTRAINTS[key]) throw new Error(`Unsupported route constraint "${c}" in "${template}"`);
  }
  return { kind: 'param', name: name!, optional: optional === '?', constraints };
}

export function compileRoute<T>(template: string, methods: readonly string[], target: T): CompiledRoute<T> {
  const segments = template.split('/').filter((s) => s !== '').map((s) => parseSegment(s, template));
  return { template, segments, methods: new Set(methods.map((m) => m.toUpperCase())), target };
}

function satisfies(value: string, constraints: string[]): boolean {
  return constraints.every((c) => {
    const match = /^(\w+)(?:\((.*)\))?$/.exec(c);
    const check = match ? CONSTRAINTS[match[1]!.toLowerCase()] : undefined;
    return check ? check(value, match?.[2]) : false;
  });
}

/** Matches path segments (already split and URL-decoded) against one route. */
export function matchRoute(segments: readonly Segment[], parts: readonly string[]): Record<string, string> | undefined {
  const params: Record<string, string> = {};
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i]!;
    const part = parts[i];
    if (segment.kind === 'catchAll') {
      const rest = parts.slice(i).join('/');
      if (rest !== '') params[segment.name] = rest;
      return params;
    }
    if (part === undefined) {
      const restOptional = segments.slice(i).every((s) => (s.kind === 'param' && s.optional) || s.kind === 'catchAll');
      return restOptional ? params : undefined;
    }
    if (segment.kind === 'literal') {
      if (part.toLowerCase() !== segment.text) return undefined;
    } else {
      if (!satisfies(part, segment.constraints)) return undefined;
      params[segment.name] = part;
    }
  }
  return parts.length === segments.length ? params : undefined;
}

/** Lower ranks first: ASP.NET's precedence, compared segment by segment. */
function rank(segment: Segment | undefined): number {
  if (!segment) return 5;
  if (segment.kind === 'literal') return 1;
  if (segment.kind === 'catchAll') return 4;
  if (segment.optional) return 3;
  return segment.constraints.length > 0 ? 2 : 2.5;
}

export function compareSpecificity(a: CompiledRoute<unknown>, b: CompiledRoute<unknown>): number {
  const length = Math.max(a.segments.length, b.segments.length);
  for (let i = 0; i < length; i++) {
    const diff = rank(a.segments[i]) - rank(b.segments[i]);
    if (diff !== 0) return diff;
  }
  return 0;
}

export class RouteTable<T> {
  private readonly routes: CompiledRoute<T>[] = [];

  constructor(private readonly prefix: string) {}

  add(template: string, methods: readonly string[], target: T): void {
    const full = [this.prefix, template].filter((p) => p.replace(/^\/+|\/+$/g, '') !== '').join('/');
    this.routes.push(compileRoute(full, methods, target));
    this.routes.sort(compareSpecificity);
  }

  list(): readonly CompiledRoute<T>[] {
    return this.routes;
  }

  /**
   * The most specific route for a path that takes the method. A route of the path that does not take
   * the method is passed over, so a less specific one may serve it; when none does, there is no route.
   */
  resolve(pathname: string, method: string): { route?: CompiledRoute<T>; params: Record<string, string> } {
    let parts: string[];
    try {
      parts = pathname.split('/').filter((p) => p !== '').map(decodeURIComponent);
    } catch {
      return { params: {} };
    }
    for (const route of this.routes) {
      if (!route.methods.has(method.toUpperCase())) continue;
      const params = matchRoute(route.segments, parts);
      if (params) return { route, params };
    }
    return { params: {} };
  }
}
