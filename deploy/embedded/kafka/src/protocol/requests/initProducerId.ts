/**
 * InitProducerId (key 22), v0 — for idempotent producers (transactions are not supported: the
 * transaction APIs are not advertised).
 * Request: transactional_id transaction_timeout_ms.
 * Response: throttle_time_ms error_code producer_id producer_epoch.
 */
import type { ApiHandler } from '../../context.ts';
import { ApiKey } from '../apiKeys.ts';
import { Encoder } from '../encoder.ts';
import { ErrorCode } from '../errors.ts';

export const initProducerId: ApiHandler = {
  apiKey: ApiKey.InitProducerId,
  name: 'InitProducerId',
  minVersion: 0,
  maxVersion: 0,
  handle(ctx, d) {
    d.readNullableString(); // transactional id: accepted, but no transaction API is advertised
    d.readInt32(); // transaction timeout
    return new Encoder(16)
      .writeInt32(0)
      .writeInt16(ErrorCode.NONE)
      .writeInt64(ctx.broker.nextProducerId())
      .writeInt16(0);
  },
};
