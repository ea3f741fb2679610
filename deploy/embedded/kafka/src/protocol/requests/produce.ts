/**
 * Produce (key 0), v3 (record batches v2, so headers survive).
 * Request: transactional_id acks timeout_ms [topics: name [partitions: index records]].
 * Response: [topics: name [partitions: index error_code base_offset log_append_time]] throttle_time_ms.
 * acks=0 gets no response at all. Every batch's CRC32C is verified (CORRUPT_MESSAGE otherwise), a
 * batch larger than `message.max.bytes` (or the topic's `max.message.bytes`) is MESSAGE_TOO_LARGE;
 * batches are stored as received, only the base offset is rewritten.
 */
import type { ApiHandler, BrokerContext } from '../../context.ts';
import { ApiKey } from '../apiKeys.ts';
import { Encoder } from '../encoder.ts';
import { ErrorCode } from '../errors.ts';
import { batchBaseSequence, batchProducerEpoch, batchProducerId, checkBatch } from '../recordBatch.ts';

const KAFKA_STORAGE_ERROR = 56;

interface PartitionResult {
  partition: number;
  errorCode: number;
  baseOffset: number;
}

function appendRecords(
  broker: BrokerContext,
  topic: string,
  partition: number,
  records: Buffer | null,
): PartitionResult {
  const log = broker.topics.partition(topic, partition);
  if (!log) return { partition, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, baseOffset: -1 };
  if (!records || records.length === 0)
    return { partition, errorCode: ErrorCode.CORRUPT_MESSAGE, baseOffset: -1 };
  // validate everything first: a request is all-or-nothing per partition
  const maxMessageBytes = broker.topics.get(topic)?.maxMessageBytes ?? broker.messageMaxBytes;
  const batches: Buffer[] = [];
  for (let pos = 0; pos < records.length; ) {
    const check = checkBatch(records, pos);
    if (!check.ok) {
      broker.log(`produce ${topic}-${partition}: rejecting records (${check.reason})`);
      return { partition, errorCode: ErrorCode.CORRUPT_MESSAGE, baseOffset: -1 };
    }
    if (check.size > maxMessageBytes) {
      // as Kafka's log validation: the batch as stored (with its log overhead) against the limit
      broker.log(
        `produce ${topic}-${partition}: record batch of ${check.size} bytes exceeds the maximum of ${maxMessageBytes}`,
      );
      return { partition, errorCode: ErrorCode.MESSAGE_TOO_LARGE, baseOffset: -1 };
    }
    batches.push(records.subarray(pos, pos + check.size));
    pos += check.size;
  }
  let first = -1;
  try {
    for (const b of batches) {
      const producerId = batchProducerId(b);
      const epoch = batchProducerEpoch(b);
      const seq = batchBaseSequence(b);
      const dup = producerId >= 0 ? log.findDuplicate(producerId, epoch, seq) : null;
      const base = dup ?? log.append(b, producerId, epoch, seq);
      if (first < 0) first = base;
    }
  } catch (err) {
    broker.log(`produce ${topic}-${partition}: append failed: ${(err as Error).message}`);
    return { partition, errorCode: KAFKA_STORAGE_ERROR, baseOffset: -1 };
  }
  return { partition, errorCode: ErrorCode.NONE, baseOffset: first };
}

export const produce: ApiHandler = {
  apiKey: ApiKey.Produce,
  name: 'Produce',
  minVersion: 3,
  maxVersion: 3,
  handle(ctx, d) {
    d.readNullableString(); // transactional_id: transactions are not supported
    const acks = d.readInt16();
    d.readInt32(); // timeout_ms: appends are synchronous
    const topics = d.readArray((t) => ({
      name: t.readString(),
      partitions: t.readArray((p) => ({ partition: p.readInt32(), records: p.readNullableBytes() })),
    }));
    const validAcks = acks === 0 || acks === 1 || acks === -1;
    const results = topics.map((t) => ({
      name: t.name,
      partitions: t.partitions.map((p) =>
        validAcks
          ? appendRecords(ctx.broker, t.name, p.partition, p.records)
          : { partition: p.partition, errorCode: ErrorCode.INVALID_REQUIRED_ACKS, baseOffset: -1 },
      ),
    }));
    if (acks === 0) return null;
    const e = new Encoder();
    e.writeArray(results, (w, t) => {
      w.writeString(t.name);
      w.writeArray(t.partitions, (x, p) =>
        x.writeInt32(p.partition).writeInt16(p.errorCode).writeInt64(p.baseOffset).writeInt64(-1),
      );
    });
    e.writeInt32(0);
    return e;
  },
};
