/**
 * Heartbeat (key 12), v1.
 * Request: group_id generation_id member_id. Response: throttle_time_ms error_code
 * (REBALANCE_IN_PROGRESS during a rebalance, ILLEGAL_GENERATION / UNKNOWN_MEMBER_ID when stale).
 */
import type { ApiHandler } from '../../context.ts';
import { ApiKey } from '../apiKeys.ts';
import { Encoder } from '../encoder.ts';
import { readGroupMember } from '../groupMember.ts';

export const heartbeat: ApiHandler = {
  apiKey: ApiKey.Heartbeat,
  name: 'Heartbeat',
  minVersion: 1,
  maxVersion: 1,
  handle(ctx, d) {
    return new Encoder(8).writeInt32(0).writeInt16(ctx.broker.groups.heartbeat(readGroupMember(d)));
  },
};
