/**
 * JoinGroup (key 11), v2.
 * Request: group_id session_timeout_ms rebalance_timeout_ms member_id protocol_type
 *          [protocols: name metadata].
 * Response: throttle_time_ms error_code generation_id protocol_name leader member_id
 *           [members: member_id metadata] (members only for the leader).
 * Held until the rebalance completes (see group/coordinator.ts).
 */
import type { ApiHandler } from '../../context.ts';
import type { JoinResult } from '../../group/coordinator.ts';
import { ApiKey } from '../apiKeys.ts';
import { Encoder } from '../encoder.ts';

function encode(r: JoinResult): Encoder {
  const e = new Encoder();
  e.writeInt32(0).writeInt16(r.errorCode).writeInt32(r.generationId);
  e.writeString(r.protocol).writeString(r.leaderId).writeString(r.memberId);
  e.writeArray(r.members, (w, m) => w.writeString(m.memberId).writeBytes(m.metadata));
  return e;
}

export const joinGroup: ApiHandler = {
  apiKey: ApiKey.JoinGroup,
  name: 'JoinGroup',
  minVersion: 2,
  maxVersion: 2,
  handle(ctx, d) {
    // listed in wire order: each property reads the next request field
    const r = ctx.broker.groups.join({
      groupId: d.readString(),
      sessionTimeoutMs: d.readInt32(),
      rebalanceTimeoutMs: d.readInt32(),
      memberId: d.readString(),
      protocolType: d.readString(),
      // copy: the member keeps its metadata beyond this request's buffer
      protocols: d.readArray((p) => ({ name: p.readString(), metadata: Buffer.from(p.readBytes()) })),
      clientId: ctx.clientId ?? '',
      clientHost: ctx.connection.clientHost,
    });
    return r instanceof Promise ? r.then(encode) : encode(r);
  },
};
