/**
 * Metadata (key 3), v1-4.
 * Request: [topics] (null = all), v4+: allow_auto_topic_creation.
 * Response: v3+: throttle_time_ms; [brokers: node_id host port rack]; v2+: cluster_id; controller_id;
 * [topics: error_code name is_internal [partitions: error_code index leader [replicas] [isr]]].
 */
import type { ApiHandler, BrokerContext } from '../../context.ts';
import { isValidTopicName } from '../../log/topicStore.ts';
import { ApiKey } from '../apiKeys.ts';
import { Encoder } from '../encoder.ts';
import { ErrorCode } from '../errors.ts';

interface TopicMeta {
  errorCode: number;
  name: string;
  partitions: number;
}

export function resolveTopic(broker: BrokerContext, name: string, autoCreate: boolean): TopicMeta {
  if (!isValidTopicName(name)) return { errorCode: ErrorCode.INVALID_TOPIC_EXCEPTION, name, partitions: 0 };
  let t = broker.topics.get(name);
  if (!t && autoCreate && broker.autoCreateTopics) t = broker.topics.create(name, broker.defaultPartitions);
  if (!t) return { errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, name, partitions: 0 };
  return { errorCode: ErrorCode.NONE, name, partitions: t.partitions.length };
}

export const metadata: ApiHandler = {
  apiKey: ApiKey.Metadata,
  name: 'Metadata',
  minVersion: 1,
  maxVersion: 4,
  handle(ctx, d) {
    const { broker, apiVersion: v } = ctx;
    const names = d.readNullableArray((r) => r.readString());
    const allowAutoCreate = v >= 4 ? d.readBoolean() : true;
    const topics: TopicMeta[] =
      names === null
        ? [...broker.topics.topics.values()].map((t) => ({
            errorCode: ErrorCode.NONE,
            name: t.name,
            partitions: t.partitions.length,
          }))
        : names.map((n) => resolveTopic(broker, n, allowAutoCreate));

    const e = new Encoder(512);
    if (v >= 3) e.writeInt32(0);
    e.writeInt32(1).writeInt32(broker.nodeId).writeString(broker.host).writeInt32(broker.port);
    e.writeNullableString(null); // rack
    if (v >= 2) e.writeNullableString(broker.clusterId);
    e.writeInt32(broker.nodeId); // controller: this broker
    e.writeArray(topics, (w, t) => {
      w.writeInt16(t.errorCode).writeString(t.name).writeBoolean(false);
      w.writeInt32(t.partitions);
      for (let p = 0; p < t.partitions; p++) {
        w.writeInt16(ErrorCode.NONE).writeInt32(p).writeInt32(broker.nodeId);
        w.writeInt32(1).writeInt32(broker.nodeId); // replicas
        w.writeInt32(1).writeInt32(broker.nodeId); // isr
      }
    });
    return e;
  },
};
