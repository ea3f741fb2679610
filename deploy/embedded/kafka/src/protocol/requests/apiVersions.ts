/**
 * ApiVersions (key 18), v0-2.
 * Request: empty body. Response: error_code, [api_key min_version max_version], v1+: throttle_time_ms.
 */
import type { ApiHandler } from '../../context.ts';
import { ApiKey } from '../apiKeys.ts';
import { Encoder } from '../encoder.ts';
import { ErrorCode } from '../errors.ts';

/** Filled in by requests/index.ts (avoids an import cycle). */
export const advertised: { apiKey: number; minVersion: number; maxVersion: number }[] = [];

export function encodeApiVersions(errorCode: number, version: number): Encoder {
  const e = new Encoder();
  e.writeInt16(errorCode);
  e.writeArray(advertised, (w, a) =>
    w.writeInt16(a.apiKey).writeInt16(a.minVersion).writeInt16(a.maxVersion),
  );
  if (version >= 1) e.writeInt32(0);
  return e;
}

export const apiVersions: ApiHandler = {
  apiKey: ApiKey.ApiVersions,
  name: 'ApiVersions',
  minVersion: 0,
  maxVersion: 2,
  handle(ctx) {
    return encodeApiVersions(ErrorCode.NONE, ctx.apiVersion);
  },
};
