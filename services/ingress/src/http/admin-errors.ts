import type { FastifyError, FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { TransactionGaveUp } from '../store/transactions.ts';
import { outageDetail, RETRY_AFTER_SECONDS } from './scim-errors.ts';

const adminOutageDetail = (error: unknown): string | undefined =>
  error instanceof TransactionGaveUp
    ? 'the directory store is unavailable; the change was not made; retry later'
    : outageDetail(error);

/** The admin API answers an outage of the broker or the store `503` + Retry-After, like SCIM. */
export const adminErrorHandling = fp(async (app: FastifyInstance) => {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const outage = adminOutageDetail(error);
    if (!outage) return reply.send(error);
    request.log.warn({ err: error }, 'admin request met an outage');
    reply.header('retry-after', String(RETRY_AFTER_SECONDS));
    return reply.code(503).send({ statusCode: 503, error: 'Service Unavailable', message: outage });
  });
});
