/**
 * The OpenAPI document against the app itself: every HTTP route the built app registers (loaded the way
 * the Functions worker loads it, methods included) is described, nothing else is, every example parses
 * with the zod schema it illustrates, and the document is valid OpenAPI 3.1.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { loadFunctionApp } from '../../local-host/src/appLoader';
import { SERVICE_PATHS, openApiDocument } from '../../functions/openapi/document';
import type { Operation, Paths } from '../../shared/openapi';
import { EVENT_HUB_CONNECTION } from '../../shared/topology';

const ROOT = path.resolve(__dirname, '..', '..');
const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'] as const;

/** A Functions route template as an OpenAPI path: `kiosk/{*asset}` is `/kiosk/{asset}`, constraints dropped. */
export function openApiPath(prefix: string, template: string): string {
  const joined = [prefix, template].map((p) => p.replace(/^\/+|\/+$/g, '')).filter(Boolean).join('/');
  return '/' + joined.replace(/\{\*?([A-Za-z_]\w*)\??(?::[^}]*)?\}/g, '{$1}');
}

/** `METHOD /path` of every operation a paths object describes. */
function described(paths: Record<string, object | undefined>): string[] {
  return Object.entries(paths).flatMap(([p, item]) => METHODS.filter((m) => item && m in item).map((m) => `${m.toUpperCase()} ${p}`));
}

let registered: string[] = [];

beforeAll(async () => {
  if (!existsSync(path.join(ROOT, 'dist', 'functions'))) throw new Error('dist/functions is missing: run "npm run build" first.');
  process.env[EVENT_HUB_CONNECTION] ??= 'LocalEventLog=http://127.0.0.1:9';
  process.env.TablesConnection ??= 'UseDevelopmentStorage=true';
  const prefix = (JSON.parse(readFileSync(path.join(ROOT, 'host.json'), 'utf8')) as { extensions?: { http?: { routePrefix?: string } } }).extensions?.http?.routePrefix ?? 'api';
  const app = await loadFunctionApp(ROOT, () => undefined);
  registered = app.functions.flatMap((fn) =>
    Object.values(fn.bindings)
      .filter((b) => b.type.toLowerCase() === 'httptrigger')
      .flatMap((b) => ((b.methods as string[] | undefined) ?? ['GET', 'POST']).map((m) => `${m.toUpperCase()} ${openApiPath(prefix, (b.route as string | undefined) ?? fn.name)}`)),
  );
});

describe('the OpenAPI document', () => {
  it('describes every route and method the app registers, and no other', () => {
    expect(registered.length).toBeGreaterThan(20);
    const document = described(openApiDocument().paths ?? {});
    expect(registered.filter((r) => !document.includes(r)), 'registered but not described').toEqual([]);
    expect(document.filter((d) => !registered.includes(d)), 'described but not registered').toEqual([]);
  });

  it('notices a route whose description is missing', () => {
    const { '/orders/{id}/cancel': _cancel, ...withoutCancel } = SERVICE_PATHS;
    expect(registered.filter((r) => !described(withoutCancel).includes(r))).toEqual(['POST /orders/{id}/cancel']);
  });

  it('is valid OpenAPI 3.1', async () => {
    const { Validator } = await import('@seriousme/openapi-schema-validator');
    const validator = new Validator();
    const result = await validator.validate(structuredClone(openApiDocument()) as unknown as Parameters<typeof validator.validate>[0]);
    expect(result.errors ?? [], JSON.stringify(result.errors, null, 2)).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
  });

  it('says who may call each route: anonymous routes ask for nothing, guarded ones for a bearer token and answer 401 and 403', () => {
    const document = openApiDocument();
    expect(Object.keys(document.components?.securitySchemes ?? {})).toEqual(['bearer']);
    for (const [p, item] of Object.entries(document.paths ?? {})) {
      for (const method of METHODS) {
        const op = item[method];
        if (!op) continue;
        expect(op.security, `${method} ${p}`).toBeDefined();
        const guarded = op.security!.some((s) => 'bearer' in s);
        expect(['401', '403'].every((s) => s in (op.responses ?? {})), `${method} ${p} 401/403`).toBe(guarded);
      }
    }
  });
});

/** Every zod schema with its example(s), in request bodies, responses and parameters. */
function examples(paths: Paths): { where: string; schema: z.ZodType; example: unknown }[] {
  const found: { where: string; schema: z.ZodType; example: unknown }[] = [];
  for (const [p, item] of Object.entries(paths)) {
    for (const method of METHODS) {
      const op = (item as Record<string, Operation | undefined>)[method];
      if (!op) continue;
      const where = `${method.toUpperCase()} ${p}`;
      const bodies = [
        ...Object.entries((op.requestBody as { content?: Record<string, { schema?: unknown; example?: unknown }> } | undefined)?.content ?? {}).map(([type, m]) => ['request', type, m] as const),
        ...Object.entries(op.responses ?? {}).flatMap(([status, r]) => Object.entries((r as { content?: Record<string, { schema?: unknown; example?: unknown }> }).content ?? {}).map(([type, m]) => [status, type, m] as const)),
      ];
      for (const [at, type, media] of bodies) {
        if (!type.includes('json')) continue;
        expect(media.schema instanceof z.ZodType, `${where} ${at} ${type}: a zod schema`).toBe(true);
        expect(media.example, `${where} ${at} ${type}: an example`).toBeDefined();
        found.push({ where: `${where} ${at} ${type}`, schema: media.schema as z.ZodType, example: media.example });
      }
      for (const [location, params] of Object.entries(op.requestParams ?? {})) {
        for (const [name, schema] of Object.entries((params as z.ZodObject).shape) as [string, z.ZodType][]) {
          const example = schema.meta()?.example;
          if (location === 'path') expect(example, `${where} path parameter ${name}: an example`).toBeDefined();
          if (example !== undefined) found.push({ where: `${where} ${location} parameter ${name}`, schema, example });
        }
      }
    }
  }
  return found;
}

describe('the examples', () => {
  it('parse with the zod schema they illustrate', () => {
    const all = examples(SERVICE_PATHS);
    expect(all.length).toBeGreaterThan(60);
    const failing = all.flatMap(({ where, schema, example }) => {
      const parsed = schema.safeParse(example);
      return parsed.success ? [] : [`${where}: ${parsed.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')}`];
    });
    expect(failing).toEqual([]);
  });

  it('would catch an example that does not fit', () => {
    const broken: Paths = {
      '/x': { get: { responses: { '200': { description: 'x', content: { 'application/json': { schema: z.object({ cups: z.int() }), example: { cups: 'ten' } } } } } } },
    };
    const [only] = examples(broken);
    expect(only!.schema.safeParse(only!.example).success).toBe(false);
  });
});
