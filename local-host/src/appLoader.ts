import { existsSync, readFileSync, readdirSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import path from 'node:path';
import { createFunctionsCore, type CoreRegistry, type RegisteredFunction } from './functionsCore';

export interface LoadedApp {
  root: string;
  functions: RegisteredFunction[];
  registry: CoreRegistry;
  /** Stops further registrations, as the worker does once the app is indexed. */
  lock(): void;
}

const CORE_MODULE = '@azure/functions-core';

/** Expands the `main` entry of package.json; like the worker, it accepts one glob such as `dist/functions/*\/index.js`. */
export function expandMain(root: string, main: string): string[] {
  if (!/[*{]/.test(main)) return [path.resolve(root, main)];
  const braces = /^(.*)\{([^}]+)\}(.*)$/.exec(main);
  if (braces) return braces[2]!.split(',').flatMap((alt) => expandMain(root, `${braces[1]}${alt.trim()}${braces[3]}`));
  const parts = main.split('/');
  let candidates = [root];
  for (const part of parts) {
    if (!part.includes('*')) {
      candidates = candidates.map((c) => path.join(c, part)).filter((c) => existsSync(c));
      continue;
    }
    const pattern = new RegExp(`^${part.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*')}$`);
    candidates = candidates.flatMap((dir) =>
      existsSync(dir) ? readdirSync(dir).filter((name) => pattern.test(name)).map((name) => path.join(dir, name)) : [],
    );
  }
  return candidates.sort();
}

let installed: ReturnType<typeof createFunctionsCore> | undefined;

/** Makes `require('@azure/functions-core')` answer with this host's implementation, as the worker's does. */
function installCore(log: (level: string, message: string) => void): ReturnType<typeof createFunctionsCore> {
  if (installed) return installed;
  const core = createFunctionsCore('4.1000.0-local', log);
  const virtualPath = path.join(__dirname, '__virtual__', `${CORE_MODULE}.js`);
  const mod = new Module(virtualPath);
  mod.filename = virtualPath;
  mod.loaded = true;
  mod.exports = core.api;
  const cache = (Module as unknown as { _cache: Record<string, Module> })._cache;
  cache[virtualPath] = mod;
  const moduleWithResolver = Module as unknown as { _resolveFilename: (request: string, ...rest: unknown[]) => string };
  const original = moduleWithResolver._resolveFilename;
  moduleWithResolver._resolveFilename = function resolveWithCore(request: string, ...rest: unknown[]) {
    return request === CORE_MODULE ? virtualPath : original.call(this, request, ...rest);
  };
  installed = core;
  return core;
}

/**
 * Loads the built app the way the Functions Node worker does: every file named by package.json `main`
 * is required, and the registrations arrive through `@azure/functions-core`. One app per process.
 */
export async function loadFunctionApp(
  root: string,
  log: (level: string, message: string) => void = (level, message) => console.log(`[${level}] ${message}`),
): Promise<LoadedApp> {
  const core = installCore(log);
  const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { main?: string };
  if (!pkg.main) throw new Error('package.json has no "main": the worker would find no functions.');
  const files = expandMain(root, pkg.main);
  if (files.length === 0) throw new Error(`No files match package.json main "${pkg.main}". Run "npm run build" first.`);
  const requireFromRoot = createRequire(path.join(root, 'package.json'));
  for (const file of files) requireFromRoot(file);
  if (!core.registry.programmingModel) throw new Error('The app did not set a programming model; is @azure/functions v4 installed?');
  return { root, functions: [...core.registry.functions.values()], registry: core.registry, lock: core.lock };
}
