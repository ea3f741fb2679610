import { ScimError } from '@roster/scim';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { ScimTokens, TokenIdentity } from '../store/scim-tokens.ts';
import { describeTenant } from './request-telemetry.ts';
import { sendScimError } from './scim-errors.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** The organization and token a SCIM call authenticated as. */
    scimIdentity: TokenIdentity;
  }
}

const bearer = (request: FastifyRequest): string | undefined => {
  const header = request.headers.authorization;
  const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  return match?.[1];
};

/** Every SCIM route requires a valid org SCIM token; the token decides the organization. */
export const scimAuth = fp(async (app: FastifyInstance, { tokens }: { tokens: ScimTokens }) => {
  app.decorateRequest('scimIdentity', null as unknown as TokenIdentity);
  app.addHook('onRequest', async (request, reply) => {
    const presented = bearer(request);
    const identity = presented ? await tokens.verify(presented) : undefined;
    if (!identity) {
      reply.header('www-authenticate', 'Bearer realm="roster-scim"');
      return sendScimError(reply, new ScimError(401, 'a valid SCIM bearer token is required'));
    }
    request.scimIdentity = identity;
    describeTenant(request, identity.tenant);
  });
});
