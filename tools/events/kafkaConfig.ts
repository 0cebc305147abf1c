import type { TokenCredential } from '@azure/identity';
import type { ConsumerConfig, KafkaConfig, ProducerConfig } from 'kafkajs';
import { EVENT_HUB } from '../../shared/topology';
import { oauthBearerProvider, type TokenProviderOptions } from './tokenProvider';

/** The hub is the Kafka topic. */
export const TOPIC = EVENT_HUB;
/** The namespace's Kafka endpoint: TLS only, on this port. */
export const KAFKA_PORT = 9093;

/** Tokens for the namespace as a whole; the principal's data roles on the hub decide what it may do. */
export function eventHubsScope(fullyQualifiedNamespace: string): string {
  return `https://${fullyQualifiedNamespace}/.default`;
}

export interface KafkaClientOptions {
  fullyQualifiedNamespace: string;
  credential: TokenCredential;
  clientId?: string;
  token?: TokenProviderOptions;
}

/**
 * A client for the namespace's Kafka endpoint. Local (SAS) authentication is off on the namespace, so the
 * only way in is SASL OAUTHBEARER with an Entra ID token, over TLS. Timeouts follow the service's advice for
 * Kafka clients (requests of up to a minute).
 */
export function kafkaClientConfig(options: KafkaClientOptions): KafkaConfig {
  return {
    clientId: options.clientId ?? 'unmanned-cafe-events',
    brokers: [`${options.fullyQualifiedNamespace}:${KAFKA_PORT}`],
    ssl: true,
    sasl: {
      mechanism: 'oauthbearer',
      oauthBearerProvider: oauthBearerProvider(options.credential, eventHubsScope(options.fullyQualifiedNamespace), options.token),
    },
    connectionTimeout: 10_000,
    authenticationTimeout: 10_000,
    requestTimeout: 60_000,
  };
}

/**
 * A reader's consumer group. Kafka groups on Event Hubs are created on first use and are apart from the
 * hub's own consumer groups, so a tail never takes events from the app's consumers. The tail commits no
 * offsets, and each run has a group of its own unless one is named, so two tails never split the partitions.
 */
export function tailConsumerConfig(groupId: string): ConsumerConfig {
  return { groupId, sessionTimeout: 30_000, heartbeatInterval: 3_000, allowAutoTopicCreation: false };
}

export function defaultGroupId(random: () => string): string {
  return `cafe-events-tail-${random()}`;
}

/** The hub exists (Bicep creates it); a publish must never create a topic of another name. */
export function publishProducerConfig(): ProducerConfig {
  return { allowAutoTopicCreation: false, idempotent: false };
}
