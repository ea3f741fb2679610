/**
 * DeleteTopics (key 20), v0-1.
 * Request: [topic_names] timeout_ms. Response: v1+: throttle_time_ms; [topics: name error_code].
 * Also drops the topic's committed offsets.
 */
import type { ApiHandler } from '../../context.ts';
import { ApiKey } from '../apiKeys.ts';
import { Encoder } from '../encoder.ts';
import { ErrorCode } from '../errors.ts';

export const deleteTopics: ApiHandler = {
  apiKey: ApiKey.DeleteTopics,
  name: 'DeleteTopics',
  minVersion: 0,
  maxVersion: 1,
  handle(ctx, d) {
    const names = d.readArray((t) => t.readString());
    d.readInt32(); // timeout
    const { broker } = ctx;
    const results = names.map((name) => {
      if (!broker.topics.delete(name)) return { name, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION };
      broker.offsets.deleteTopic(name);
      return { name, errorCode: ErrorCode.NONE };
    });
    const e = new Encoder();
    if (ctx.apiVersion >= 1) e.writeInt32(0);
    e.writeArray(results, (w, r) => w.writeString(r.name).writeInt16(r.errorCode));
    return e;
  },
};
