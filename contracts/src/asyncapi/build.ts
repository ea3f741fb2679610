import type { TObject } from '@sinclair/typebox';
import { TOPICS, type TopicSpec } from '../topics.ts';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

const KAFKA_BINDING_VERSION = '0.5.0';
const LOCAL_REF = '#/components/schemas/';

/**
 * Hoists every named subschema (`$id`) into components.schemas and points references at it,
 * so recursive types (the SCIM filter tree) and shared shapes appear once in the document.
 */
const hoistNamedSchemas = (schema: Json, components: JsonObject, isRoot: boolean): Json => {
  if (Array.isArray(schema)) return schema.map((s) => hoistNamedSchemas(s, components, false));
  if (schema === null || typeof schema !== 'object') return schema;
  const { $id, ...rest } = schema;
  const walked: JsonObject = {};
  for (const [key, value] of Object.entries(rest)) {
    walked[key] =
      key === '$ref' && typeof value === 'string' && !value.startsWith('#')
        ? `${LOCAL_REF}${value}`
        : hoistNamedSchemas(value, components, false);
  }
  if (typeof $id !== 'string' || isRoot) return walked;
  components[$id] = walked;
  return { $ref: `${LOCAL_REF}${$id}` };
};

const messageId = (message: TObject): string => String(message.$id);

const channelMessages = (topic: TopicSpec): JsonObject =>
  Object.fromEntries(
    topic.messages.map((m) => [messageId(m), { $ref: `#/components/messages/${messageId(m)}` }]),
  );

/** Builds the AsyncAPI 3.0 document for every topic in the catalogue. */
export const buildAsyncApiDocument = (version: string): JsonObject => {
  const schemas: JsonObject = {};
  const messages: JsonObject = {};
  const channels: JsonObject = {};
  const operations: JsonObject = {};

  for (const [channelId, topic] of Object.entries(TOPICS) as [string, TopicSpec][]) {
    for (const message of topic.messages) {
      const plain = JSON.parse(JSON.stringify(message)) as JsonObject;
      messages[messageId(message)] = {
        name: messageId(message),
        title: messageId(message),
        summary: String(message.description ?? ''),
        contentType: 'type' in message.properties ? 'application/cloudevents+json' : 'application/json',
        payload: hoistNamedSchemas(plain, schemas, true),
        bindings: {
          kafka: { key: { type: 'string', description: topic.key }, bindingVersion: KAFKA_BINDING_VERSION },
        },
      };
    }
    channels[channelId] = {
      address: topic.name,
      description: `${topic.description} Key: ${topic.key}.`,
      messages: channelMessages(topic),
      bindings: {
        kafka: {
          topic: topic.name,
          partitions: topic.partitions,
          topicConfiguration: { 'retention.ms': topic.retentionMs, 'cleanup.policy': ['delete'] },
          bindingVersion: KAFKA_BINDING_VERSION,
        },
      },
    };
    const ref = { $ref: `#/channels/${channelId}` };
    const messageRefs = topic.messages.map((m) => ({
      $ref: `#/channels/${channelId}/messages/${messageId(m)}`,
    }));
    for (const producer of topic.producers) {
      operations[`${producer}.send.${channelId}`] = { action: 'send', channel: ref, messages: messageRefs };
    }
    for (const consumer of topic.consumers) {
      operations[`${consumer}.receive.${channelId}`] = {
        action: 'receive',
        channel: ref,
        messages: messageRefs,
      };
    }
  }

  return {
    asyncapi: '3.0.0',
    info: {
      title: 'Roster provisioning events',
      version,
      description:
        'Topics between the Roster services (commands, directory changes, step outcomes, command results), the public lifecycle topic for downstream services, and the dead-letter topic. Every message except dead letters is a CloudEvents 1.0 event in structured JSON mode.',
      license: { name: 'Apache-2.0' },
    },
    defaultContentType: 'application/cloudevents+json',
    servers: {
      production: { host: 'kafka:9092', protocol: 'kafka', description: 'Apache Kafka (KAFKA_BROKERS)' },
      development: {
        host: '127.0.0.1:9092',
        protocol: 'kafka',
        description: 'the embedded development broker',
      },
    },
    channels,
    operations,
    components: { schemas, messages },
  };
};
