import { Cron } from 'croner';
import type { CoreRegistry, RegisteredFunction } from './functionsCore';
import { invoke, triggerBindingOf } from './invoker';
import type { Logger } from './logger';
import { retryPolicyOf } from './retryPolicy';

/** Resolves `%Name%` binding expressions from app settings, failing with the setting's name. */
export function resolveSettings(value: string, settings: Record<string, string | undefined>, where: string): string {
  return value.replace(/%([^%]+)%/g, (_, name: string) => {
    const resolved = settings[name];
    if (resolved === undefined || resolved === '') throw new Error(`${where} uses %${name}%, but the setting ${name} is not set`);
    return resolved;
  });
}

/**
 * Runs a timer-triggered function on its NCRONTAB schedule (six fields, seconds first, as in
 * Functions). A run that is still going when the next one is due is not overlapped: Functions holds a
 * singleton lock per timer function.
 */
export class TimerListener {
  private job?: Cron;
  private running?: Promise<void>;
  private last?: Date;

  constructor(
    private readonly registry: CoreRegistry,
    private readonly fn: RegisteredFunction,
    private readonly logger: Logger,
    private readonly settings: Record<string, string | undefined>,
  ) {}

  get functionName(): string {
    return this.fn.name;
  }

  get schedule(): string {
    const [, binding] = triggerBindingOf(this.fn);
    return resolveSettings(String(binding.schedule ?? ''), this.settings, `Timer function ${this.fn.name}`);
  }

  start(): void {
    const schedule = this.schedule;
    if (schedule.trim().split(/\s+/).length !== 6) {
      throw new Error(`Timer function ${this.fn.name}: "${schedule}" is not a six-field NCRONTAB expression`);
    }
    this.job = new Cron(schedule, { protect: true }, () => this.tick());
    const [, binding] = triggerBindingOf(this.fn);
    if (binding.runOnStartup === true) void this.tick();
  }

  private tick(): Promise<void> {
    if (this.running) return this.running;
    const now = new Date();
    const next = this.job?.nextRun() ?? null;
    const timer = {
      Schedule: { AdjustForDST: true },
      ScheduleStatus: { Last: (this.last ?? now).toISOString(), Next: next?.toISOString() ?? null, LastUpdated: now.toISOString() },
      IsPastDue: false,
    };
    this.last = now;
    const policy = retryPolicyOf(this.fn);
    this.running = (async () => {
      for (let retry = 0; ; retry++) {
        try {
          await invoke(this.registry, this.fn, {
            triggerData: { json: JSON.stringify(timer) },
            ...(policy ? { retryContext: { retryCount: retry, maxRetryCount: policy.maxRetryCount } } : {}),
          }, this.logger);
          return;
        } catch (error) {
          const message = error instanceof Error ? error.message : String(error);
          if (!policy || retry >= policy.maxRetryCount) {
            this.logger.error(this.fn.name, `timer run failed: ${message}`);
            return;
          }
          await new Promise((resolve) => setTimeout(resolve, policy.delayMs(retry + 1)));
        }
      }
    })().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  async stop(graceMs: number): Promise<void> {
    this.job?.stop();
    if (this.running) await Promise.race([this.running, new Promise((resolve) => setTimeout(resolve, graceMs).unref())]);
  }
}
