/**
 * SyncGroup (key 14), v1.
 * Request: group_id generation_id member_id [assignments: member_id assignment].
 * Response: throttle_time_ms error_code assignment.
 * Followers are held until the leader's SyncGroup brings the assignments.
 */
import type { ApiHandler } from '../../context.ts';
import type { SyncResult } from '../../group/coordinator.ts';
import { ApiKey } from '../apiKeys.ts';
import { Encoder } from '../encoder.ts';
import { readGroupMember } from '../groupMember.ts';

function encode(r: SyncResult): Encoder {
  return new Encoder().writeInt32(0).writeInt16(r.errorCode).writeBytes(r.assignment);
}

export const syncGroup: ApiHandler = {
  apiKey: ApiKey.SyncGroup,
  name: 'SyncGroup',
  minVersion: 1,
  maxVersion: 1,
  handle(ctx, d) {
    const member = readGroupMember(d);
    const assignments = d.readArray((a) => ({
      memberId: a.readString(),
      assignment: Buffer.from(a.readBytes()),
    }));
    const r = ctx.broker.groups.sync(member, assignments);
    return r instanceof Promise ? r.then(encode) : encode(r);
  },
};
