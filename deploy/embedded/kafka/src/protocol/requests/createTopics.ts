/**
 * CreateTopics (key 19), v0-1.
 * Request: [topics: name num_partitions replication_factor [assignments: index [broker_ids]]
 *          [configs: name value]] timeout_ms, v1+: validate_only. Of the configs only
 *          max.message.bytes is honoured.
 * Response: [topics: name error_code, v1+: error_message].
 */
import type { ApiHandler } from '../../context.ts';
import { isValidTopicName } from '../../log/topicStore.ts';
import { ApiKey } from '../apiKeys.ts';
import { Encoder } from '../encoder.ts';
import { ErrorCode } from '../errors.ts';

const MAX_PARTITIONS = 10_000;
/** The topic config that overrides the broker's `message.max.bytes`. */
const MAX_MESSAGE_BYTES = 'max.message.bytes';

export const createTopics: ApiHandler = {
  apiKey: ApiKey.CreateTopics,
  name: 'CreateTopics',
  minVersion: 0,
  maxVersion: 1,
  handle(ctx, d) {
    const v = ctx.apiVersion;
    const topics = d.readArray((t) => {
      const name = t.readString();
      const numPartitions = t.readInt32();
      const replicationFactor = t.readInt16();
      const assignments = t.readArray((a) => ({
        partition: a.readInt32(),
        brokers: a.readArray((b) => b.readInt32()),
      }));
      // configs: only max.message.bytes is honoured, the others are accepted and ignored
      const configs = new Map(t.readArray((c) => [c.readString(), c.readNullableString()] as const));
      return {
        name,
        numPartitions,
        replicationFactor,
        assignments,
        maxMessageBytes: configs.get(MAX_MESSAGE_BYTES),
      };
    });
    d.readInt32(); // timeout
    const validateOnly = v >= 1 ? d.readBoolean() : false;
    const { broker } = ctx;
    const results = topics.map((t): { name: string; errorCode: number; message: string | null } => {
      const partitions =
        t.assignments.length > 0
          ? t.assignments.length
          : t.numPartitions === -1
            ? broker.defaultPartitions
            : t.numPartitions;
      if (!isValidTopicName(t.name)) {
        return { name: t.name, errorCode: ErrorCode.INVALID_TOPIC_EXCEPTION, message: 'illegal topic name' };
      }
      if (broker.topics.get(t.name)) {
        return {
          name: t.name,
          errorCode: ErrorCode.TOPIC_ALREADY_EXISTS,
          message: `topic '${t.name}' already exists`,
        };
      }
      if (partitions < 1 || partitions > MAX_PARTITIONS) {
        return {
          name: t.name,
          errorCode: ErrorCode.INVALID_PARTITIONS,
          message: 'number of partitions is invalid',
        };
      }
      if (t.replicationFactor !== -1 && t.replicationFactor !== 1) {
        return {
          name: t.name,
          errorCode: ErrorCode.INVALID_REPLICATION_FACTOR,
          message: 'single-broker cluster: replication factor must be 1',
        };
      }
      const maxMessageBytes = t.maxMessageBytes == null ? undefined : Number(t.maxMessageBytes);
      if (t.maxMessageBytes != null && !/^\d{1,10}$/.test(t.maxMessageBytes)) {
        return {
          name: t.name,
          errorCode: ErrorCode.INVALID_CONFIG,
          message: `Invalid value ${t.maxMessageBytes} for configuration ${MAX_MESSAGE_BYTES}: Not a number of type INT`,
        };
      }
      if (!validateOnly) broker.topics.create(t.name, partitions, maxMessageBytes);
      return { name: t.name, errorCode: ErrorCode.NONE, message: null };
    });
    const e = new Encoder();
    e.writeArray(results, (w, r) => {
      w.writeString(r.name).writeInt16(r.errorCode);
      if (v >= 1) w.writeNullableString(r.message);
    });
    return e;
  },
};
