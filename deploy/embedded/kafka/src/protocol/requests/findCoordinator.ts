/**
 * FindCoordinator (key 10), v0-1. This broker coordinates every group (and answers for
 * transactional ids too, so a transactional kafkajs producer gets as far as the first
 * transaction API, which is not advertised, and fails with kafkajs's "not supported" error).
 * Request: key, v1+: key_type. Response: v1+: throttle_time_ms; error_code; v1+: error_message;
 * node_id host port.
 */
import type { ApiHandler } from '../../context.ts';
import { ApiKey } from '../apiKeys.ts';
import { Encoder } from '../encoder.ts';
import { ErrorCode } from '../errors.ts';

export const findCoordinator: ApiHandler = {
  apiKey: ApiKey.FindCoordinator,
  name: 'FindCoordinator',
  minVersion: 0,
  maxVersion: 1,
  handle(ctx, d) {
    const v = ctx.apiVersion;
    d.readNullableString();
    if (v >= 1) d.readInt8(); // key type: groups (0) and transactions (1) both land here
    const e = new Encoder();
    if (v >= 1) e.writeInt32(0);
    e.writeInt16(ErrorCode.NONE);
    if (v >= 1) e.writeNullableString(null);
    e.writeInt32(ctx.broker.nodeId).writeString(ctx.broker.host).writeInt32(ctx.broker.port);
    return e;
  },
};
