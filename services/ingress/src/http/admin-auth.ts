import { bearerCheck } from '@roster/service-kit';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

/** The admin API takes `Authorization: Bearer <ROSTER_ADMIN_TOKEN>`, compared in constant time. */
export const adminAuth = fp(async (app: FastifyInstance, { adminToken }: { adminToken: string }) => {
  const isAdmin = bearerCheck(adminToken);
  app.addHook('onRequest', async (request, reply) => {
    if (!isAdmin(request.headers.authorization)) {
      reply.header('www-authenticate', 'Bearer realm="roster-admin"');
      return reply
        .code(401)
        .send({ error: 'unauthorized', message: 'a valid admin bearer token is required' });
    }
  });
});
