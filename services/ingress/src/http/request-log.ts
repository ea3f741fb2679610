import type { FastifyRequest } from 'fastify';

/**
 * How fastify's request log lines ("incoming request", errors) show a request: without its query
 * string, since SCIM filters carry emails and names, and without headers (Authorization).
 */
export const requestLogSerializers = {
  req: (request: FastifyRequest) => ({
    method: request.method,
    path: request.url.split('?')[0],
    host: request.host,
    remoteAddress: request.ip,
  }),
};
