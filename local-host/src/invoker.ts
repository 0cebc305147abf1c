import { randomUUID } from 'node:crypto';
import type { CoreRegistry, RegisteredFunction } from './functionsCore';
import type { Logger } from './logger';

export interface InvocationRequest {
  /** The trigger's input in the worker protocol's typed-data shape (`{ http }`, `{ json }`, ...). */
  triggerData: Record<string, unknown>;
  triggerMetadata?: Record<string, Record<string, unknown>>;
  retryContext?: { retryCount: number; maxRetryCount: number; exception?: { message?: string } };
}

export function triggerBindingOf(fn: Pick<RegisteredFunction, 'name' | 'bindings'>): [string, RegisteredFunction['bindings'][string]] {
  const entry = Object.entries(fn.bindings).find(([, b]) => /trigger$/i.test(b.type) && b.direction === 'in');
  if (!entry) throw new Error(`Function ${fn.name} has no trigger binding`);
  return entry;
}

/**
 * Runs one invocation the way the Node worker does: the programming model turns the protocol data
 * into the handler's arguments, the app's hooks run around the handler, and the result is turned
 * back into protocol data (the HTTP response, for instance).
 */
export async function invoke(
  registry: CoreRegistry,
  fn: RegisteredFunction,
  request: InvocationRequest,
  logger: Logger,
): Promise<{ returnValue?: Record<string, unknown> }> {
  const model = registry.programmingModel;
  if (!model) throw new Error('No programming model registered');
  const [triggerName] = triggerBindingOf(fn);
  const invocationId = randomUUID();
  const coreCtx = {
    invocationId,
    state: undefined as string | undefined,
    metadata: { name: fn.name, bindings: fn.bindings, retryOptions: fn.retryOptions },
    request: {
      invocationId,
      functionId: fn.name,
      inputData: [{ name: triggerName, data: request.triggerData }],
      triggerMetadata: request.triggerMetadata ?? {},
      ...(request.retryContext ? { retryContext: request.retryContext } : {}),
    },
    log(level: string, category: string, message: string) {
      logger.write(level, fn.name, category === 'system' ? `[system] ${message}` : message);
    },
  };

  const invocationModel = model.getInvocationModel(coreCtx);
  const { context, inputs } = await invocationModel.getArguments();
  const hookData: Record<string, unknown> = {};
  const pre = { invocationContext: context, functionCallback: fn.callback, inputs, hookData, appHookData: registry.appHookData };
  coreCtx.state = 'preInvocationHooks';
  for (const hook of registry.hooks.get('preInvocation') ?? []) await hook(pre);

  coreCtx.state = 'invocation';
  let result: unknown;
  let error: unknown;
  try {
    result = await invocationModel.invokeFunction(context, pre.inputs, pre.functionCallback);
  } catch (e) {
    error = e;
  }

  coreCtx.state = 'postInvocationHooks';
  const post = { invocationContext: context, inputs: pre.inputs, result, error, hookData, appHookData: registry.appHookData };
  for (const hook of registry.hooks.get('postInvocation') ?? []) await hook(post);
  if (post.error) throw post.error;
  return (await invocationModel.getResponse(context, post.result)) as { returnValue?: Record<string, unknown> };
}
