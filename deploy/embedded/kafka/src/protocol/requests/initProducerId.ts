/**
 * InitProducerId (key 22), v0 — for idempotent producers only (transactions are not supported).
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
    const transactionalId = d.readNullableString();
    d.readInt32();
    const e = new Encoder(16).writeInt32(0);
    if (transactionalId !== null) {
      return e.writeInt16(ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED).writeInt64(-1).writeInt16(-1);
    }
    return e.writeInt16(ErrorCode.NONE).writeInt64(ctx.broker.nextProducerId()).writeInt16(0);
  },
};
