import type { HttpResponseInit } from '@azure/functions';
import type { TokenCredential } from '@azure/identity';
import { z } from 'zod';
import { json } from '../../shared/http';
import { CONSUMER_GROUPS, EVENT_HUB } from '../../shared/topology';

/** One partition as a consumer group sees it: the newest event in the hub, and its own checkpoint. */
export interface PartitionPosition {
  partitionId: string;
  /** Sequence number of the newest event in the partition (-1: none yet). */
  lastEnqueuedSequenceNumber: number;
  /** Sequence number of the last event the group checkpointed (-1: none yet). */
  checkpointSequenceNumber: number;
}

export interface GroupPositions {
  consumerGroup: string;
  partitions: PartitionPosition[];
}

/** Where positions come from: the local event log, or the hub and the Functions host's checkpoint store. */
export interface PositionSource {
  read(): Promise<GroupPositions[]>;
}

export interface GroupLag {
  consumerGroup: string;
  /** Events in the hub the group has not checkpointed past (every type, handled or skipped). */
  lag: number;
  partitions: (PartitionPosition & { lag: number })[];
  /** Events checkpointed per second since the previous reading of this process (absent on the first). */
  eventsPerSecond?: number;
}

/** Lag per group and partition, and throughput against an earlier reading. Pure. */
export function lagOf(groups: readonly GroupPositions[], previous?: { at: number; groups: readonly GroupPositions[] }, at = Date.now()): GroupLag[] {
  return groups.map((group) => {
    const partitions = group.partitions.map((p) => ({ ...p, lag: Math.max(0, p.lastEnqueuedSequenceNumber - p.checkpointSequenceNumber) }));
    const position = (g: GroupPositions) => g.partitions.reduce((sum, p) => sum + Math.max(0, p.checkpointSequenceNumber + 1), 0);
    const before = previous?.groups.find((g) => g.consumerGroup === group.consumerGroup);
    const seconds = previous ? (at - previous.at) / 1000 : 0;
    return {
      consumerGroup: group.consumerGroup,
      lag: partitions.reduce((sum, p) => sum + p.lag, 0),
      partitions,
      ...(before && seconds > 0 ? { eventsPerSecond: Math.round(((position(group) - position(before)) / seconds) * 10) / 10 } : {}),
    };
  });
}

/** The local host's event log: `GET /_eventhubs` answers each consumer group's positions. */
export function localPositions(endpoint: string, fetchImpl: typeof fetch = fetch): PositionSource {
  return {
    async read() {
      const response = await fetchImpl(endpoint.replace(/\/+$/, ''));
      if (!response.ok) throw new Error(`Local event log answered ${response.status}`);
      const consumers = (await response.json()) as { consumerGroup: string; partitions: { partitionId: string; lastSequenceNumber: number; nextSequenceNumber: number }[] }[];
      return consumers.map((c) => ({
        consumerGroup: c.consumerGroup,
        partitions: c.partitions.map((p) => ({ partitionId: p.partitionId, lastEnqueuedSequenceNumber: p.lastSequenceNumber, checkpointSequenceNumber: p.nextSequenceNumber - 1 })),
      }));
    },
  };
}

/** What the Azure source needs of an Event Hubs client. */
export interface HubProperties {
  getPartitionIds(): Promise<string[]>;
  getPartitionProperties(partitionId: string): Promise<{ lastEnqueuedSequenceNumber: number }>;
}

/**
 * On Azure: the hub's newest sequence numbers, and the checkpoints the Functions host keeps in its
 * storage account (`AzureWebJobsStorage`): container `azure-webjobs-eventhub`, one blob per partition
 * named `<namespace>/<hub>/<consumer group>/checkpoint/<partition>` whose metadata holds the
 * `sequencenumber`. Read with the Blob REST API and the app's identity (no extra library).
 */
export function azurePositions(options: {
  hub: HubProperties;
  fullyQualifiedNamespace: string;
  blobServiceUri: string;
  credential: TokenCredential;
  fetchImpl?: typeof fetch;
}): PositionSource {
  const fetchImpl = options.fetchImpl ?? fetch;
  return {
    async read() {
      const ids = await options.hub.getPartitionIds();
      const last = new Map(await Promise.all(ids.map(async (id) => [id, (await options.hub.getPartitionProperties(id)).lastEnqueuedSequenceNumber] as const)));
      const token = await options.credential.getToken('https://storage.azure.com/.default');
      return Promise.all(
        Object.values(CONSUMER_GROUPS).map(async (consumerGroup) => {
          const prefix = `${options.fullyQualifiedNamespace}/${EVENT_HUB}/${consumerGroup}/checkpoint/`.toLowerCase();
          const url = `${options.blobServiceUri.replace(/\/+$/, '')}/azure-webjobs-eventhub?restype=container&comp=list&include=metadata&prefix=${encodeURIComponent(prefix)}`;
          const response = await fetchImpl(url, { headers: { authorization: `Bearer ${token?.token ?? ''}`, 'x-ms-version': '2021-08-06' } });
          if (!response.ok) throw new Error(`Checkpoint store answered ${response.status}`);
          const checkpoints = checkpointsIn(await response.text());
          return {
            consumerGroup,
            partitions: ids.map((partitionId) => ({ partitionId, lastEnqueuedSequenceNumber: last.get(partitionId) ?? -1, checkpointSequenceNumber: checkpoints.get(partitionId) ?? -1 })),
          };
        }),
      );
    },
  };
}

/** Partition id to checkpointed sequence number, from a List Blobs answer. Pure. */
export function checkpointsIn(xml: string): Map<string, number> {
  const result = new Map<string, number>();
  for (const [, blob] of xml.matchAll(/<Blob>([\s\S]*?)<\/Blob>/g)) {
    const name = /<Name>([^<]*)<\/Name>/.exec(blob!)?.[1];
    const sequence = /<sequencenumber>(-?\d+)<\/sequencenumber>/i.exec(blob!)?.[1];
    if (name && sequence !== undefined) result.set(name.slice(name.lastIndexOf('/') + 1), Number(sequence));
  }
  return result;
}

const PartitionLag = z.object({ partitionId: z.string(), lastEnqueuedSequenceNumber: z.int(), checkpointSequenceNumber: z.int(), lag: z.int().min(0) });

/** What `GET /operations/lag` answers. */
export const LagReport = z
  .object({
    hub: z.string(),
    at: z.iso.datetime(),
    consumerGroups: z.array(z.object({ consumerGroup: z.string(), lag: z.int().min(0), partitions: z.array(PartitionLag), eventsPerSecond: z.number().optional() })),
  })
  .meta({ id: 'LagReport' });

/**
 * `GET /operations/lag`: each consumer group's lag (events not yet checkpointed) per partition, and
 * its throughput since the previous call of this instance. The operator's view of which service is
 * the bottleneck; the local host logs the same figures periodically.
 */
export function createLagApi(source: () => PositionSource) {
  let previous: { at: number; groups: GroupPositions[] } | undefined;
  return {
    async consumerLag(): Promise<HttpResponseInit> {
      const groups = await source().read();
      const at = Date.now();
      const lag = lagOf(groups, previous, at);
      previous = { at, groups };
      return json(200, { hub: EVENT_HUB, at: new Date(at).toISOString(), consumerGroups: lag } satisfies z.infer<typeof LagReport>);
    },
  };
}
