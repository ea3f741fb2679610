import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

const digest = (value: string): Buffer => createHash('sha256').update(value).digest();

/** The admin API takes `Authorization: Bearer <ROSTER_ADMIN_TOKEN>`, compared in constant time. */
export const adminAuth = fp(async (app: FastifyInstance, { adminToken }: { adminToken: string }) => {
  const expected = digest(adminToken);
  app.addHook('onRequest', async (request, reply) => {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '');
    if (!match || !timingSafeEqual(digest(match[1]!), expected)) {
      reply.header('www-authenticate', 'Bearer realm="roster-admin"');
      return reply
        .code(401)
        .send({ error: 'unauthorized', message: 'a valid admin bearer token is required' });
    }
  });
});
