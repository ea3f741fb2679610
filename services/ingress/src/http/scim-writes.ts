import type { FastifyRequest } from 'fastify';

const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * A SCIM write: one that becomes a command. A Bulk request is none itself: each of its operations
 * is dispatched (and counted) on its own.
 */
export const isWrite = (request: FastifyRequest): boolean =>
  WRITE_METHODS.has(request.method) && !/\/bulk\/?$/i.test(request.routeOptions.url ?? '');
