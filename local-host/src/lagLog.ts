import { consumerStatus, type HostedApp } from './hostedApp';
import type { Logger } from './logger';

/** How often the host logs the consumer groups' lag. */
const LAG_LOG_MS = 10_000;

/**
 * The operator's view of the saga locally (GET /operations/lag shows the same): each consumer group's
 * pending events and what it consumed since the last line, every 10 s while anything moves. Returns
 * the function that stops it.
 */
export function logLagPeriodically(hosted: Pick<HostedApp, 'listeners' | 'eventLog'>, logger: Logger): () => void {
  let lastPositions = new Map<string, number>();
  const lagTimer = setInterval(() => {
    consumerStatus(hosted)
      .then((groups) => {
        const positions = new Map(groups.map((g) => [g.consumerGroup, g.partitions.reduce((sum, p) => sum + p.nextSequenceNumber, 0)]));
        const moved = groups.some((g) => g.pending > 0 || positions.get(g.consumerGroup) !== lastPositions.get(g.consumerGroup));
        if (moved && lastPositions.size > 0) {
          const parts = groups.map((g) => `${g.consumerGroup}=${g.pending} (${(((positions.get(g.consumerGroup) ?? 0) - (lastPositions.get(g.consumerGroup) ?? 0)) / (LAG_LOG_MS / 1000)).toFixed(1)}/s)`);
          logger.info('host', `consumer lag ${parts.join(' ')}`);
        }
        lastPositions = positions;
      })
      .catch(() => undefined);
  }, LAG_LOG_MS);
  lagTimer.unref();
  return () => clearInterval(lagTimer);
}
