/**
 * The host side of `@azure/functions-core`: the module the Azure Functions Node worker provides to the
 * `@azure/functions` library at run time. The library calls `setProgrammingModel` and then
 * `registerFunction(metadata, callback)` for every `app.http`/`app.eventHub`/`app.timer` call, exactly
 * as under the real worker, so the local host learns the app's functions from the app itself.
 */

export type Binding = { type: string; direction: 'in' | 'out' | string; name?: string; [key: string]: unknown };

export interface RegisteredFunction {
  name: string;
  bindings: Record<string, Binding>;
  retryOptions?: {
    retryStrategy?: string;
    maxRetryCount?: number;
    delayInterval?: { seconds?: number; nanos?: number };
    minimumInterval?: { seconds?: number; nanos?: number };
    maximumInterval?: { seconds?: number; nanos?: number };
  };
  callback: (...args: unknown[]) => unknown;
}

export interface CoreInvocationContext {
  invocationId: string;
  request: Record<string, unknown>;
  metadata: Record<string, unknown>;
  state?: string;
  log(level: string, category: string, message: string): void;
}

export interface InvocationModel {
  getArguments(): Promise<{ context: unknown; inputs: unknown[] }>;
  invokeFunction(context: unknown, inputs: unknown[], handler: (...args: unknown[]) => unknown): Promise<unknown>;
  getResponse(context: unknown, result: unknown): Promise<{ returnValue?: unknown; outputData?: unknown[] }>;
}

export interface ProgrammingModel {
  name: string;
  version: string;
  getInvocationModel(coreCtx: CoreInvocationContext): InvocationModel;
}

export type HookName = 'appStart' | 'appTerminate' | 'preInvocation' | 'postInvocation' | 'log';
type HookCallback = (context: Record<string, unknown>) => unknown;

export interface CoreRegistry {
  functions: Map<string, RegisteredFunction>;
  hooks: Map<HookName, Set<HookCallback>>;
  /** Shared by all hooks of the app, as the worker's appHookData. */
  appHookData: Record<string, unknown>;
  programmingModel?: ProgrammingModel;
}

export function createFunctionsCore(hostVersion: string, log: (level: string, message: string) => void) {
  const registry: CoreRegistry = { functions: new Map(), hooks: new Map(), appHookData: {} };
  let locked = false;

  const api = {
    version: '3.10.1',
    hostVersion,
    registerFunction(metadata: Omit<RegisteredFunction, 'callback'>, callback: RegisteredFunction['callback']) {
      if (locked) throw new Error(`Function "${metadata.name}" was registered after the app started; register functions at load time.`);
      if (registry.functions.has(metadata.name)) throw new Error(`A function named "${metadata.name}" is already registered.`);
      registry.functions.set(metadata.name, { ...metadata, callback });
      return { dispose: () => registry.functions.delete(metadata.name) };
    },
    registerHook(hookName: HookName, callback: HookCallback) {
      const set = registry.hooks.get(hookName) ?? new Set();
      set.add(callback);
      registry.hooks.set(hookName, set);
      return { dispose: () => set.delete(callback) };
    },
    setProgrammingModel(model: ProgrammingModel) {
      registry.programmingModel = model;
    },
    getProgrammingModel() {
      return registry.programmingModel;
    },
    log(level: string, category: string, message: string) {
      log(level, `[${category}] ${message}`);
    },
    Disposable: class Disposable {
      constructor(private readonly callOnDispose: () => void) {}
      dispose() {
        this.callOnDispose();
      }
    },
  };

  return { api, registry, lock: () => (locked = true) };
}
