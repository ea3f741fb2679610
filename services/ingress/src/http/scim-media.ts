import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

export const SCIM_MEDIA_TYPE = 'application/scim+json';

/**
 * SCIM bodies arrive as application/scim+json or application/json (charset parameters ignored)
 * and every answer goes out as application/scim+json (RFC 7644 §3.1).
 */
export const scimMedia = fp(async (app: FastifyInstance) => {
  app.addContentTypeParser(
    SCIM_MEDIA_TYPE,
    { parseAs: 'string' },
    app.getDefaultJsonParser('error', 'error'),
  );
  app.addHook('onSend', async (_request, reply, payload) => {
    if (reply.getHeader('content-type')?.toString().startsWith('application/json')) {
      reply.header('content-type', `${SCIM_MEDIA_TYPE}; charset=utf-8`);
    }
    return payload;
  });
});
