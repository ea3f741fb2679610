/**
 * OffsetFetch (key 9), v1-2.
 * Request: group_id [topics: name [partition_indexes]] (v2+: null topics = all committed).
 * Response: [topics: name [partitions: index committed_offset metadata error_code]] v2+: error_code.
 * Partitions without a commit answer offset -1.
 */
import type { ApiHandler } from '../../context.ts';
import { ApiKey } from '../apiKeys.ts';
import { Encoder } from '../encoder.ts';
import { ErrorCode } from '../errors.ts';

export const offsetFetch: ApiHandler = {
  apiKey: ApiKey.OffsetFetch,
  name: 'OffsetFetch',
  minVersion: 1,
  maxVersion: 2,
  handle(ctx, d) {
    const groupId = d.readString();
    const requested = d.readNullableArray((t) => ({
      name: t.readString(),
      partitions: t.readArray((p) => p.readInt32()),
    }));
    const { offsets } = ctx.broker;
    const topics =
      requested ??
      [...offsets.all(groupId)].map(([name, parts]) => ({ name, partitions: [...parts.keys()] }));
    const e = new Encoder();
    e.writeArray(topics, (w, t) => {
      w.writeString(t.name);
      w.writeArray(t.partitions, (x, p) => {
        const c = offsets.get(groupId, t.name, p);
        x.writeInt32(p)
          .writeInt64(c ? c.offset : -1)
          .writeNullableString(c ? c.metadata : '');
        x.writeInt16(ErrorCode.NONE);
      });
    });
    if (ctx.apiVersion >= 2) e.writeInt16(ErrorCode.NONE);
    return e;
  },
};
