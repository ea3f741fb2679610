import type { GroupMember } from '../group/coordinator.ts';
import type { Decoder } from './decoder.ts';

/** group_id generation_id member_id: how SyncGroup, Heartbeat and OffsetCommit requests begin. */
export const readGroupMember = (d: Decoder): GroupMember => ({
  groupId: d.readString(),
  generationId: d.readInt32(),
  memberId: d.readString(),
});
