/**
 * Fetch (key 1), v4.
 * Request: replica_id max_wait_ms min_bytes max_bytes isolation_level
 *          [topics: name [partitions: index fetch_offset partition_max_bytes]].
 * Response: throttle_time_ms [topics: name [partitions: index error_code high_watermark
 *           last_stable_offset [aborted_transactions] records]].
 * Returns whole batches starting with the one containing fetch_offset (the client drops
 * records before it), at least one batch even when it exceeds the limits, and long-polls
 * up to max_wait_ms, answering as soon as min_bytes are available.
 */
import type { ApiHandler, RequestContext } from '../../context.ts';
import { ApiKey } from '../apiKeys.ts';
import { Encoder } from '../encoder.ts';
import { ErrorCode } from '../errors.ts';

interface FetchPartition {
  partition: number;
  fetchOffset: number;
  maxBytes: number;
}
interface FetchTopic {
  name: string;
  partitions: FetchPartition[];
}
interface PartitionData {
  partition: number;
  errorCode: number;
  highWatermark: number;
  chunks: Buffer[];
  bytes: number;
}

function collect(ctx: RequestContext, topics: FetchTopic[], maxBytes: number) {
  let total = 0;
  const out = topics.map((t) => ({
    name: t.name,
    partitions: t.partitions.map((p): PartitionData => {
      const log = ctx.broker.topics.partition(t.name, p.partition);
      if (!log) {
        return {
          partition: p.partition,
          errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
          highWatermark: -1,
          chunks: [],
          bytes: 0,
        };
      }
      const limit = Math.max(0, Math.min(p.maxBytes, maxBytes - total));
      let r: ReturnType<typeof log.read>;
      try {
        r = log.read(p.fetchOffset, limit, total === 0);
      } catch (err) {
        ctx.broker.log(`fetch ${t.name}-${p.partition}: read failed: ${(err as Error).message}`);
        return { partition: p.partition, errorCode: 56, highWatermark: -1, chunks: [], bytes: 0 };
      }
      if (!r.ok) {
        return {
          partition: p.partition,
          errorCode: ErrorCode.OFFSET_OUT_OF_RANGE,
          highWatermark: log.highWatermark,
          chunks: [],
          bytes: 0,
        };
      }
      total += r.bytes;
      return {
        partition: p.partition,
        errorCode: ErrorCode.NONE,
        highWatermark: log.highWatermark,
        chunks: r.chunks,
        bytes: r.bytes,
      };
    }),
  }));
  const hasError = out.some((t) => t.partitions.some((p) => p.errorCode !== ErrorCode.NONE));
  return { topics: out, bytes: total, hasError };
}

function encode(topics: { name: string; partitions: PartitionData[] }[]): Encoder {
  const e = new Encoder(1024);
  e.writeInt32(0); // throttle
  e.writeArray(topics, (w, t) => {
    w.writeString(t.name);
    w.writeArray(t.partitions, (x, p) => {
      x.writeInt32(p.partition).writeInt16(p.errorCode).writeInt64(p.highWatermark);
      x.writeInt64(p.highWatermark); // last stable offset = high watermark (no transactions)
      x.writeInt32(0); // aborted transactions
      x.writeInt32(p.bytes);
      for (const c of p.chunks) x.writeRaw(c);
    });
  });
  return e;
}

export const fetch: ApiHandler = {
  apiKey: ApiKey.Fetch,
  name: 'Fetch',
  minVersion: 4,
  maxVersion: 4,
  handle(ctx, d) {
    d.readInt32(); // replica_id
    const maxWaitMs = d.readInt32();
    const minBytes = d.readInt32();
    const maxBytes = d.readInt32();
    d.readInt8(); // isolation level: everything is committed
    const topics = d.readArray(
      (t): FetchTopic => ({
        name: t.readString(),
        partitions: t.readArray((p) => ({
          partition: p.readInt32(),
          fetchOffset: p.readInt64(),
          maxBytes: p.readInt32(),
        })),
      }),
    );
    const first = collect(ctx, topics, maxBytes);
    if (first.bytes >= Math.max(1, minBytes) || first.hasError || maxWaitMs <= 0) return encode(first.topics);

    // long poll: wake on appends to any requested partition, give up at max_wait_ms
    const { broker, connection } = ctx;
    return new Promise((resolve) => {
      let done = false;
      let scheduled = false;
      const unsubscribe: (() => void)[] = [];
      const finish = (body: Encoder | null) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        for (const u of unsubscribe) u();
        broker.pending.delete(cancel);
        resolve(body);
      };
      const cancel = () => finish(null);
      const wake = () => {
        if (scheduled || done) return;
        scheduled = true;
        queueMicrotask(() => {
          scheduled = false;
          if (done) return;
          const r = collect(ctx, topics, maxBytes);
          if (r.bytes >= Math.max(1, minBytes) || r.hasError) finish(encode(r.topics));
        });
      };
      const timer = setTimeout(() => finish(encode(collect(ctx, topics, maxBytes).topics)), maxWaitMs);
      for (const t of topics) {
        for (const p of t.partitions) {
          const log = broker.topics.partition(t.name, p.partition);
          if (log) unsubscribe.push(log.onAppend(wake));
        }
      }
      unsubscribe.push(connection.onClose(cancel));
      broker.pending.add(cancel);
    });
  },
};
