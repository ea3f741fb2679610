/**
 * ListOffsets (key 2), v1.
 * Request: replica_id [topics: name [partitions: index timestamp]] (-1 = latest, -2 = earliest).
 * Response: [topics: name [partitions: index error_code timestamp offset]].
 */
import type { ApiHandler } from '../../context.ts';
import { ApiKey } from '../apiKeys.ts';
import { Encoder } from '../encoder.ts';
import { ErrorCode } from '../errors.ts';

export const listOffsets: ApiHandler = {
  apiKey: ApiKey.ListOffsets,
  name: 'ListOffsets',
  minVersion: 1,
  maxVersion: 1,
  handle(ctx, d) {
    d.readInt32(); // replica_id
    const topics = d.readArray((t) => ({
      name: t.readString(),
      partitions: t.readArray((p) => ({ partition: p.readInt32(), timestamp: p.readInt64() })),
    }));
    const e = new Encoder();
    e.writeArray(topics, (w, t) => {
      w.writeString(t.name);
      w.writeArray(t.partitions, (x, p) => {
        const log = ctx.broker.topics.partition(t.name, p.partition);
        x.writeInt32(p.partition);
        if (!log) {
          x.writeInt16(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION).writeInt64(-1).writeInt64(-1);
          return;
        }
        const offset =
          p.timestamp === -1
            ? log.highWatermark
            : p.timestamp === -2
              ? log.logStartOffset
              : log.offsetForTimestamp(p.timestamp);
        x.writeInt16(ErrorCode.NONE).writeInt64(-1).writeInt64(offset);
      });
    });
    return e;
  },
};
