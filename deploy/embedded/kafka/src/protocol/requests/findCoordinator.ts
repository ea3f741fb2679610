/**
 * FindCoordinator (key 10), v0-1. This broker coordinates every group.
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
    const keyType = v >= 1 ? d.readInt8() : 0;
    const e = new Encoder();
    if (v >= 1) e.writeInt32(0);
    // key type 1 = transaction coordinator: transactions are not supported
    const errorCode = keyType === 0 ? ErrorCode.NONE : ErrorCode.COORDINATOR_NOT_AVAILABLE;
    e.writeInt16(errorCode);
    if (v >= 1) e.writeNullableString(errorCode === ErrorCode.NONE ? null : 'transactions are not supported');
    e.writeInt32(ctx.broker.nodeId).writeString(ctx.broker.host).writeInt32(ctx.broker.port);
    return e;
  },
};
