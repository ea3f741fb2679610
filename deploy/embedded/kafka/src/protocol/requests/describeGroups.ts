/**
 * DescribeGroups (key 15), v0-1.
 * Request: [group_ids]. Response: v1+: throttle_time_ms; [groups: error_code group_id state
 * protocol_type protocol_data [members: member_id client_id client_host metadata assignment]].
 * Unknown groups are reported as state "Dead" (like Kafka).
 */
import type { ApiHandler } from '../../context.ts';
import { ApiKey } from '../apiKeys.ts';
import { Encoder } from '../encoder.ts';
import { ErrorCode } from '../errors.ts';

export const describeGroups: ApiHandler = {
  apiKey: ApiKey.DescribeGroups,
  name: 'DescribeGroups',
  minVersion: 0,
  maxVersion: 1,
  handle(ctx, d) {
    const ids = d.readArray((r) => r.readString());
    const e = new Encoder();
    if (ctx.apiVersion >= 1) e.writeInt32(0);
    e.writeArray(ids, (w, id) => {
      const g = ctx.broker.groups.describe(id);
      const state = g ? g.state : ctx.broker.offsets.hasGroup(id) ? 'Empty' : 'Dead';
      w.writeInt16(ErrorCode.NONE).writeString(id).writeString(state);
      w.writeString(g?.protocolType ?? '').writeString(g?.protocol ?? '');
      w.writeArray(g?.members ?? [], (x, m) =>
        x
          .writeString(m.memberId)
          .writeString(m.clientId)
          .writeString(m.clientHost)
          .writeBytes(m.metadata)
          .writeBytes(m.assignment),
      );
    });
    return e;
  },
};
