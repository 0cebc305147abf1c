import { Kafka, logLevel } from 'kafkajs';
import { azureCredential } from '../../shared/credential';
import { kafkaClientConfig, publishProducerConfig, tailConsumerConfig } from './kafkaConfig';
import { kafkaSink, kafkaSource } from './kafkaTransport';
import type { EventSink, EventSource } from './source';

/** The Kafka side of `npm run events`, signed in as whoever DefaultAzureCredential finds (az login, a managed identity). */
export function kafkaEndpoint(fullyQualifiedNamespace: string): { source(groupId: string): EventSource; sink(): EventSink } {
  const kafka = new Kafka({ ...kafkaClientConfig({ fullyQualifiedNamespace, credential: azureCredential() }), logLevel: logLevel.WARN });
  return {
    source: (groupId) => kafkaSource(kafka.consumer(tailConsumerConfig(groupId))),
    sink: () => kafkaSink(kafka.producer(publishProducerConfig())),
  };
}
