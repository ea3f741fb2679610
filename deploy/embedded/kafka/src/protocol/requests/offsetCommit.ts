/**
 * OffsetCommit (key 8), v2.
 * Request: group_id generation_id member_id retention_time_ms
 *          [topics: name [partitions: index committed_offset metadata]].
 * Response: [topics: name [partitions: index error_code]].
 * Commits are journaled (data directory) before the response.
 */
import type { ApiHandler } from '../../context.ts';
import { ApiKey } from '../apiKeys.ts';
import { Encoder } from '../encoder.ts';
import { ErrorCode } from '../errors.ts';
import { readGroupMember } from '../groupMember.ts';

export const offsetCommit: ApiHandler = {
  apiKey: ApiKey.OffsetCommit,
  name: 'OffsetCommit',
  minVersion: 2,
  maxVersion: 2,
  handle(ctx, d) {
    const member = readGroupMember(d);
    d.readInt64(); // retention_time_ms: offsets are kept forever
    const topics = d.readArray((t) => ({
      name: t.readString(),
      partitions: t.readArray((p) => ({
        partition: p.readInt32(),
        offset: p.readInt64(),
        metadata: p.readNullableString(),
      })),
    }));
    const { broker } = ctx;
    const groupError = member.groupId ? broker.groups.checkCommit(member) : ErrorCode.INVALID_GROUP_ID;
    const commits: [string, number, number, string | null][] = [];
    const results = topics.map((t) => ({
      name: t.name,
      partitions: t.partitions.map((p) => {
        let errorCode: number = groupError;
        if (errorCode === ErrorCode.NONE && !broker.topics.partition(t.name, p.partition)) {
          errorCode = ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
        }
        if (errorCode === ErrorCode.NONE) commits.push([t.name, p.partition, p.offset, p.metadata]);
        return { partition: p.partition, errorCode };
      }),
    }));
    broker.offsets.commit(member.groupId, commits);
    const e = new Encoder();
    e.writeArray(results, (w, t) => {
      w.writeString(t.name);
      w.writeArray(t.partitions, (x, p) => x.writeInt32(p.partition).writeInt16(p.errorCode));
    });
    return e;
  },
};
