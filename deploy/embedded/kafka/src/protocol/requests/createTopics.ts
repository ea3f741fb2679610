/**
 * CreateTopics (key 19), v0-1.
 * Request: [topics: name num_partitions replication_factor [assignments: index [broker_ids]]
 *          [configs: name value]] timeout_ms, v1+: validate_only.
 * Response: [topics: name error_code, v1+: error_message].
 */
import type { ApiHandler } from '../../context.ts';
import { isValidTopicName } from '../../log/topicStore.ts';
import { ApiKey } from '../apiKeys.ts';
import { Encoder } from '../encoder.ts';
import { ErrorCode } from '../errors.ts';

const MAX_PARTITIONS = 10_000;

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
      t.readArray((c) => [c.readString(), c.readNullableString()]); // configs are accepted and ignored
      return { name, numPartitions, replicationFactor, assignments };
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
      if (!validateOnly) broker.topics.create(t.name, partitions);
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
