import type { FastifyInstance } from 'fastify';
import type { Organizations } from '../../store/organizations.ts';
import type { ScimTokens } from '../../store/scim-tokens.ts';

interface Deps {
  organizations: Organizations;
  tokens: ScimTokens;
}

const rotateBody = {
  type: 'object',
  additionalProperties: false,
  properties: { graceSeconds: { type: 'integer', minimum: 0, maximum: 30 * 24 * 3600 } },
} as const;

/** SCIM tokens: issued only once the org's SSO connection is configured; shown once; rotatable; revocable. */
export const scimTokenRoutes = async (app: FastifyInstance, { organizations, tokens }: Deps) => {
  app.post<{ Params: { orgId: string } }>('/orgs/:orgId/scim-tokens', async (request, reply) => {
    const org = await organizations.get(request.params.orgId);
    if (!org) return reply.notFound(`organization ${request.params.orgId} not found`);
    if (!org.ssoConfigured) {
      return reply.badRequest(
        'SCIM tokens can only be issued once the organization has a configured SSO connection',
      );
    }
    return reply.code(201).send(await tokens.issue(org._id));
  });

  app.get<{ Params: { orgId: string } }>('/orgs/:orgId/scim-tokens', async (request) => ({
    items: (await tokens.list(request.params.orgId)).map(({ _id, ...rest }) => ({ id: _id, ...rest })),
  }));

  app.post<{ Params: { orgId: string; tokenId: string }; Body: { graceSeconds?: number } | undefined }>(
    '/orgs/:orgId/scim-tokens/:tokenId/rotate',
    { schema: { body: rotateBody } },
    async (request, reply) => {
      const { orgId, tokenId } = request.params;
      const graceMs = (request.body?.graceSeconds ?? 0) * 1000;
      const issued = await tokens.rotate(orgId, tokenId, graceMs);
      if (!issued) return reply.notFound(`active SCIM token ${tokenId} not found`);
      return reply.code(201).send({ ...issued, replaces: tokenId });
    },
  );

  app.delete<{ Params: { orgId: string; tokenId: string } }>(
    '/orgs/:orgId/scim-tokens/:tokenId',
    async (request, reply) => {
      const { orgId, tokenId } = request.params;
      if (!(await tokens.revoke(orgId, tokenId)))
        return reply.notFound(`active SCIM token ${tokenId} not found`);
      return reply.code(204).send();
    },
  );
};
