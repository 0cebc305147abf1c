import type { Consumer, KafkaMessage, Message, Producer } from 'kafkajs';
import type { CafeEvent } from '../../shared/events';
import { eventProperties } from '../../shared/publisher';
import { headersAsText } from './headers';
import { TOPIC } from './kafkaConfig';
import type { EventSink, EventSource, HubRecord } from './source';

export function recordOf(partition: number, message: KafkaMessage): HubRecord {
  const timestamp = Number(message.timestamp);
  return {
    partition: String(partition),
    offset: message.offset,
    ...(Number.isFinite(timestamp) && timestamp > 0 ? { timestamp: new Date(timestamp).toISOString() } : {}),
    ...(message.key ? { key: message.key.toString('utf8') } : {}),
    headers: headersAsText(message.headers),
    body: message.value,
  };
}

/**
 * The Kafka record for an event: JSON text as the value (the app's consumers read any JSON body), the store
 * as the key (one store's events go to one partition, as the app's partition key does; the Kafka client
 * chooses that partition itself, so it may not be the one the app's own publisher picks for the store),
 * and type and version as headers, as the app sets them.
 */
export function messageOf(event: CafeEvent): Message {
  return {
    key: event.storeId,
    value: JSON.stringify(event),
    headers: { ...eventProperties(event), 'content-type': 'application/json' },
  };
}

/** Reads the topic through a consumer of its own group, committing nothing. */
export function kafkaSource(consumer: Consumer): EventSource {
  return {
    async read(onRecord, { fromBeginning, signal, ready }) {
      await consumer.connect();
      try {
        let stopped = false;
        const finished = new Promise<void>((resolve, reject) => {
          const stop = () => {
            stopped = true;
            resolve();
          };
          if (signal.aborted) stop();
          signal.addEventListener('abort', stop, { once: true });
          // A crash the client does not restart from (authorization refused, say) ends the read with its error.
          // Joined the group: partitions are assigned and the positions are taken from here.
          consumer.on(consumer.events.GROUP_JOIN, () => ready?.());
          consumer.on(consumer.events.CRASH, (event) => {
            if (!event.payload.restart) reject(event.payload.error);
          });
          consumer
            .subscribe({ topics: [TOPIC], fromBeginning })
            .then(() =>
              consumer.run({
                autoCommit: false,
                eachMessage: async ({ partition, message }) => {
                  if (stopped) return;
                  if (await onRecord(recordOf(partition, message))) stop();
                },
              }),
            )
            .catch(reject);
        });
        await finished;
      } finally {
        await consumer.disconnect();
      }
    },
  };
}

export function kafkaSink(producer: Producer): EventSink {
  return {
    async publish(events) {
      await producer.connect();
      try {
        await producer.send({ topic: TOPIC, acks: -1, messages: events.map(messageOf) });
      } finally {
        await producer.disconnect();
      }
    },
  };
}
