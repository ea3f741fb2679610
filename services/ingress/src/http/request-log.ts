import type { FastifyRequest } from 'fastify';

/** A request's path, without the query string (SCIM filters carry emails and names). */
export const pathOf = (request: FastifyRequest): string => request.url.split('?')[0]!;

/**
 * How fastify's request log lines ("incoming request", errors) show a request: without its query
 * string, since SCIM filters carry emails and names, and without headers (Authorization).
 */
export const requestLogSerializers = {
  req: (request: FastifyRequest) => ({
    method: request.method,
    path: pathOf(request),
    host: request.host,
    remoteAddress: request.ip,
  }),
};
