/**
 * LeaveGroup (key 13), v1.
 * Request: group_id member_id. Response: throttle_time_ms error_code.
 */
import type { ApiHandler } from '../../context.ts';
import { ApiKey } from '../apiKeys.ts';
import { Encoder } from '../encoder.ts';

export const leaveGroup: ApiHandler = {
  apiKey: ApiKey.LeaveGroup,
  name: 'LeaveGroup',
  minVersion: 1,
  maxVersion: 1,
  handle(ctx, d) {
    const groupId = d.readString();
    const memberId = d.readString();
    return new Encoder(8).writeInt32(0).writeInt16(ctx.broker.groups.leave(groupId, memberId));
  },
};
