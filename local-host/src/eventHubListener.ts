import type { EventHub, LogRecord } from './eventLog';
import type { CoreRegistry, RegisteredFunction } from './functionsCore';
import { invoke, triggerBindingOf, type InvocationRequest } from './invoker';
import type { Logger } from './logger';
import { retryPolicyOf } from './retryPolicy';
import type { SecondWorker } from './secondWorker';

export interface ListenerOptions {
  maxEventBatchSize: number;
  /** How long an idle partition waits for new events before looking again. */
  idleWaitMs: number;
  /**
   * Fault injection (CAFE_DELIVER_TWICE): the share of batches (0 to 1) delivered a second time before
   * checkpointing, as Event Hubs does after a crash or a partition rebalance, to show the consumers
   * are idempotent.
   */
  deliverTwice?: number;
  /**
   * Fault injection (CAFE_CONCURRENT_DELIVERY): a second worker process that gets a share of the
   * batches (`concurrentShare`, 0 to 1) at the same time as this one, as two instances do while a
   * partition moves between them.
   */
  secondWorker?: Pick<SecondWorker, 'invoke'>;
  concurrentShare?: number;
}

/** Whether this batch gets a fault whose share of batches is `share` (1: every batch). */
const strikes = (share: number | undefined) => share !== undefined && share > 0 && (share >= 1 || Math.random() < share);

type Invoke = (request: InvocationRequest) => Promise<unknown>;

function typed(value: unknown): { json: string } {
  return { json: JSON.stringify(value) };
}

function metadataFor(hub: EventHub, consumerGroup: string, partitionId: string, records: LogRecord[], many: boolean): Record<string, { json: string }> {
  const partitionContext = typed({ ConsumerGroup: consumerGroup, EventHubName: hub.name, PartitionId: partitionId, FullyQualifiedNamespace: 'localhost' });
  const system = (r: LogRecord) => ({ SequenceNumber: r.sequenceNumber, Offset: r.offset, PartitionKey: r.partitionKey ?? null, EnqueuedTimeUtc: r.enqueuedTimeUtc });
  if (many) {
    return {
      PartitionContext: partitionContext,
      SequenceNumberArray: typed(records.map((r) => r.sequenceNumber)),
      OffsetArray: typed(records.map((r) => r.offset)),
      EnqueuedTimeUtcArray: typed(records.map((r) => r.enqueuedTimeUtc)),
      PartitionKeyArray: typed(records.map((r) => r.partitionKey ?? null)),
      PropertiesArray: typed(records.map((r) => r.properties)),
      SystemPropertiesArray: typed(records.map(system)),
    };
  }
  const r = records[0]!;
  return {
    PartitionContext: partitionContext,
    SequenceNumber: typed(r.sequenceNumber),
    Offset: typed(r.offset),
    EnqueuedTimeUtc: typed(r.enqueuedTimeUtc),
    PartitionKey: typed(r.partitionKey ?? null),
    Properties: typed(r.properties),
    SystemProperties: typed(system(r)),
  };
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

/**
 * Delivers one consumer group's events to one function, one loop per partition, as the Event Hubs
 * trigger does: a batch is read from the checkpoint, the function runs under its retry policy, and
 * the checkpoint advances once the retries are spent, whether the function succeeded or not. A host
 * that stops while a batch waits for its next retry also checkpoints past it, as the Functions host
 * does (the retries are in memory and end with the host): the app must not rely on them. Only a batch
 * whose invocation is still running when the stop's grace period ends, or a host that dies, leaves
 * the checkpoint behind, so that batch is delivered again.
 */
export class EventHubListener {
  private readonly abort = new AbortController();
  private readonly loops: Promise<void>[] = [];
  private readonly inFlight = new Set<Promise<unknown>>();
  /** Set when the stop's grace period ended: from then on nothing is checkpointed. */
  private halted = false;

  constructor(
    private readonly registry: CoreRegistry,
    private readonly fn: RegisteredFunction,
    private readonly hub: EventHub,
    private readonly logger: Logger,
    private readonly options: ListenerOptions,
  ) {}

  get functionName(): string {
    return this.fn.name;
  }

  get hubName(): string {
    return this.hub.name;
  }

  get consumerGroup(): string {
    const [, binding] = triggerBindingOf(this.fn);
    return typeof binding.consumerGroup === 'string' ? binding.consumerGroup : '$Default';
  }

  start(): void {
    for (const partition of this.hub.partitions) this.loops.push(this.run(partition.id));
  }

  private async run(partitionId: string): Promise<void> {
    const [, binding] = triggerBindingOf(this.fn);
    const many = binding.cardinality === 'many';
    const max = many ? this.options.maxEventBatchSize : 1;
    const group = this.consumerGroup;
    const partition = this.hub.partitions[Number(partitionId)]!;
    let next = await this.hub.readCheckpoint(group, partitionId);
    while (!this.abort.signal.aborted) {
      const records = partition.read(next, max);
      if (records.length === 0) {
        await partition.waitForAppend(this.options.idleWaitMs, this.abort.signal);
        continue;
      }
      const first = records[0]!.sequenceNumber;
      if (first > next) {
        this.logger.warn(
          this.fn.name,
          `consumer group ${group} partition ${partitionId}: ${first - next} event(s) (${next}..${first - 1}) passed the hub's retention before they were read; starting at ${first}, the oldest retained event`,
        );
      }
      const delivery = this.deliverBatch(partitionId, records, many);
      this.inFlight.add(delivery);
      await delivery.finally(() => this.inFlight.delete(delivery));
      if (this.halted) return; // the grace period ended mid-batch: no checkpoint, the batch is delivered again
      next = records[records.length - 1]!.sequenceNumber + 1;
      await this.hub.writeCheckpoint(group, partitionId, next);
    }
  }

  /** Runs the batch in this worker and, with concurrent delivery, in the second worker at the same time. */
  private async deliverBatch(partitionId: string, records: LogRecord[], many: boolean): Promise<void> {
    const targets: Invoke[] = [(request) => invoke(this.registry, this.fn, request, this.logger)];
    const second = this.options.secondWorker;
    if (second && strikes(this.options.concurrentShare ?? 1)) targets.push((request) => second.invoke(this.fn.name, request));
    const once = () => Promise.all(targets.map((target) => this.deliver(target, partitionId, records, many)));
    await once();
    if (strikes(this.options.deliverTwice) && !this.abort.signal.aborted) await once();
  }

  /** Runs the function on the batch under its retry policy; returns when the retries are spent or the host stops between them. */
  private async deliver(target: Invoke, partitionId: string, records: LogRecord[], many: boolean): Promise<void> {
    const policy = retryPolicyOf(this.fn);
    const triggerData = many ? { collectionString: { string: records.map((r) => r.body) } } : { string: records[0]!.body };
    const triggerMetadata = metadataFor(this.hub, this.consumerGroup, partitionId, records, many);
    const range = `${records[0]!.sequenceNumber}..${records[records.length - 1]!.sequenceNumber}`;
    for (let retry = 0; ; retry++) {
      try {
        await target({
          triggerData,
          triggerMetadata,
          ...(policy ? { retryContext: { retryCount: retry, maxRetryCount: policy.maxRetryCount } } : {}),
        });
        return;
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        const canRetry = policy !== undefined && (policy.maxRetryCount === -1 || retry < policy.maxRetryCount);
        if (!canRetry) {
          this.logger.error(this.fn.name, `partition ${partitionId} events ${range} failed after ${retry + 1} attempt(s); checkpointing past them: ${message}`);
          return;
        }
        if (!this.abort.signal.aborted) {
          const delay = policy.delayMs(retry + 1);
          this.logger.warn(this.fn.name, `partition ${partitionId} events ${range} failed (attempt ${retry + 1}); retrying in ${delay} ms: ${message}`);
          await sleep(delay, this.abort.signal);
        }
        if (this.abort.signal.aborted) {
          this.logger.error(this.fn.name, `partition ${partitionId} events ${range} failed (attempt ${retry + 1}) and the host is stopping before the next retry; checkpointing past them, as the Functions host does: ${message}`);
          return;
        }
      }
    }
  }

  /** Stops reading; waits for batches in flight up to a limit, then leaves them unacknowledged. */
  async stop(graceMs: number): Promise<void> {
    this.abort.abort();
    const settle = Promise.allSettled([...this.loops, ...this.inFlight]);
    await Promise.race([settle, new Promise((resolve) => setTimeout(resolve, graceMs).unref())]);
    this.halted = true;
  }
}
