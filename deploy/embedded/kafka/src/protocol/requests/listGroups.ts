/**
 * ListGroups (key 16), v0-1.
 * Request: empty. Response: v1+: throttle_time_ms; error_code [groups: group_id protocol_type].
 */
import type { ApiHandler } from '../../context.ts';
import { ApiKey } from '../apiKeys.ts';
import { Encoder } from '../encoder.ts';
import { ErrorCode } from '../errors.ts';

export const listGroups: ApiHandler = {
  apiKey: ApiKey.ListGroups,
  name: 'ListGroups',
  minVersion: 0,
  maxVersion: 1,
  handle(ctx) {
    const { groups, offsets } = ctx.broker;
    const ids = new Set([...groups.groups.keys(), ...offsets.groupIds()]);
    const e = new Encoder();
    if (ctx.apiVersion >= 1) e.writeInt32(0);
    e.writeInt16(ErrorCode.NONE);
    e.writeArray([...ids], (w, id) => {
      const g = groups.groups.get(id);
      w.writeString(id).writeString(g?.protocolType ?? 'consumer');
    });
    return e;
  },
};
