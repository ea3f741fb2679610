import { context, type Span } from '@opentelemetry/api';
import { getRPCMetadata, RPCType } from '@opentelemetry/core';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

declare module 'fastify' {
  interface FastifyRequest {
    /** The HTTP server span of this request (instrumentation-http's), while the SDK traces. */
    serverSpan: Span | undefined;
  }
}

/**
 * One span per HTTP call: instrumentation-http's server span, told the matched route so that it
 * is named `GET /scim/v2/Users` and both it and `http.server.request.duration` carry `http.route`
 * (the route pattern, never the path with its ids). A framework span per request on top of it
 * would cost throughput and say nothing more; SCIM calls annotate this one instead.
 */
export const serverSpan = fp(async (app: FastifyInstance) => {
  app.decorateRequest('serverSpan', undefined);
  app.addHook('onRequest', async (request) => {
    const rpc = getRPCMetadata(context.active());
    if (rpc?.type !== RPCType.HTTP) return;
    // Unmatched requests (404s) get no route: their paths are whatever a client sent.
    if (request.routeOptions.url) rpc.route = request.routeOptions.url;
    request.serverSpan = rpc.span;
  });
});
