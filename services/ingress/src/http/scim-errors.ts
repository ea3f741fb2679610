import { ScimError, scimErrors } from '@roster/scim';
import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';
import fp from 'fastify-plugin';
import { DeadlineExceeded } from '../pipeline/command-bus.ts';

/** Seconds an IdP should wait before retrying a write that missed its deadline. */
export const RETRY_AFTER_SECONDS = 5;

export const sendScimError = (reply: FastifyReply, error: ScimError): FastifyReply =>
  reply.code(error.httpStatus).type('application/scim+json; charset=utf-8').send(error.toBody());

/** Maps every failure to a SCIM Error response (RFC 7644 §3.12) with the right status and scimType. */
const toScimError = (error: FastifyError | Error): ScimError => {
  if (error instanceof ScimError) return error;
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

export const scimErrorHandling = fp(async (app: FastifyInstance) => {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof DeadlineExceeded) {
      request.log.warn({ err: error.message }, 'SCIM write missed its deadline');
      reply.header('retry-after', String(RETRY_AFTER_SECONDS));
      return sendScimError(reply, new ScimError(503, 'the change is still being processed; retry later'));
    }
    const scimError = toScimError(error);
    if (scimError.httpStatus >= 500) request.log.error({ err: error }, 'SCIM request failed');
    return sendScimError(reply, scimError);
  });
  app.setNotFoundHandler((request, reply) =>
    sendScimError(reply, new ScimError(404, `no endpoint ${request.method} ${request.url.split('?')[0]}`)),
  );
});
