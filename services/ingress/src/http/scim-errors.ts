import { ScimError, scimErrors } from '@roster/scim';
import { isTransientFailure, PublishTimeout } from '@roster/service-kit';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { DeadlineExceeded } from '../pipeline/command-bus.ts';
import { scimMetrics } from '../scim-metrics.ts';
import { pathOf } from './request-log.ts';

/** Seconds an IdP should wait before retrying a write that missed its deadline, or during an outage. */
export const RETRY_AFTER_SECONDS = 5;

/** `429 Too Many Requests` with the seconds to wait before retrying (Okta and Entra honour Retry-After). */
export class TooManyRequests extends ScimError {
  readonly retryAfterSeconds: number;

  constructor(detail: string, retryAfterSeconds: number) {
    super(429, detail);
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

export const sendScimError = (reply: FastifyReply, error: ScimError): FastifyReply =>
  reply.code(error.httpStatus).type('application/scim+json; charset=utf-8').send(error.toBody());

/**
 * Why the broker or the store failed a call, when it did (unreachable, frozen, electing, not in
 * time): answered `503` + Retry-After, never a 500 after minutes. A command the broker did not
 * acknowledge in time may still land once it is back; an IdP's retry then repeats a change
 * already made, which the directory answers like the first (no duplicate account).
 */
export const outageDetail = (error: unknown): string | undefined => {
  if (error instanceof PublishTimeout)
    return 'the message broker did not acknowledge the change in time; retry later';
  if (isTransientFailure(error))
    return 'a backing service (message broker or directory store) is unavailable; retry later';
  return undefined;
};

/** Maps every failure to a SCIM Error response (RFC 7644 §3.12) with the right status and scimType. */
const toScimError = (error: FastifyError | Error): ScimError => {
  if (error instanceof ScimError) return error;
  const outage = outageDetail(error);
  if (outage) return new ScimError(503, outage);
  const fastifyError = error as FastifyError;
  if (fastifyError.validation) return scimErrors.invalidSyntax(fastifyError.message);
  switch (fastifyError.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return scimErrors.invalidSyntax(`request body is not valid JSON: ${error.message}`);
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new ScimError(413, 'request body is too large');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new ScimError(415, 'send application/scim+json or application/json');
  }
  const status = fastifyError.statusCode;
  if (status && status >= 400 && status < 500) return new ScimError(status, error.message);
  return new ScimError(500, 'internal error');
};

/**
 * Errors fastify raises before any route or scope runs (a malformed percent-encoding, a path
 * parameter over the router's length limit): a SCIM error under /scim, fastify's JSON elsewhere.
 */
export const answerFrameworkError = (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
  if (request.url.toLowerCase().startsWith('/scim/')) return sendScimError(reply, toScimError(error));
  const status = error.statusCode ?? 400;
  return reply.code(status).send({ statusCode: status, code: error.code, message: error.message });
};

export const scimErrorHandling = fp(async (app: FastifyInstance) => {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof DeadlineExceeded) {
      request.log.warn({ err: error.message }, 'SCIM write missed its deadline');
      scimMetrics.deadlineMissed(request.scimCommandType);
      reply.header('retry-after', String(RETRY_AFTER_SECONDS));
      return sendScimError(reply, new ScimError(503, 'the change is still being processed; retry later'));
    }
    const scimError = toScimError(error);
    if (scimError instanceof TooManyRequests)
      reply.header('retry-after', String(scimError.retryAfterSeconds));
    else if (scimError.httpStatus === 503) {
      request.log.warn({ err: error }, 'SCIM request met an outage');
      reply.header('retry-after', String(RETRY_AFTER_SECONDS));
    } else if (scimError.httpStatus >= 500) request.log.error({ err: error }, 'SCIM request failed');
    return sendScimError(reply, scimError);
  });
  app.setNotFoundHandler((request, reply) =>
    sendScimError(reply, new ScimError(404, `no endpoint ${request.method} ${pathOf(request)}`)),
  );
});
