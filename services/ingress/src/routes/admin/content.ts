import type { ContentItemDocument } from '@roster/contracts';
import type { FastifyInstance } from 'fastify';
import { RETRY_AFTER_SECONDS } from '../../http/scim-errors.ts';
import type { ContentItemsReader } from '../../store/content-items.ts';
import type { DirectoryReader } from '../../store/directory.ts';
import type { Organizations } from '../../store/organizations.ts';

interface Deps {
  contentItems: ContentItemsReader;
  organizations: Organizations;
  directory: DirectoryReader;
  /** The content-transfer service's development seeding endpoint; absent outside development mode. */
  contentServiceUrl: string | undefined;
  /** Forwarded to the seeding endpoint, which takes nothing else. */
  adminToken: string;
}

/** A seeding call answers in milliseconds; past this the content service is not there. */
const SEEDING_TIMEOUT_MS = 5_000;

const view = ({ _id, ...item }: ContentItemDocument) => ({ id: _id, ...item });

/**
 * Content items (the content-transfer service owns them): listing reads its collection; creating
 * one is a development-only convenience forwarded to that service, their only writer.
 */
export const contentRoutes = async (
  app: FastifyInstance,
  { contentItems, organizations, directory, contentServiceUrl, adminToken }: Deps,
) => {
  app.get<{ Params: { orgId: string }; Querystring: { ownerUserId?: string; folder?: string } }>(
    '/orgs/:orgId/content',
    async (request) => ({
      items: (await contentItems.list(request.params.orgId, request.query)).map(view),
    }),
  );

  app.post<{
    Params: { orgId: string };
    Body: { ownerUserId: string; title: string; kind?: 'video' | 'folder' };
  }>(
    '/orgs/:orgId/content',
    {
      schema: {
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['ownerUserId', 'title'],
          properties: {
            ownerUserId: { type: 'string', minLength: 1 },
            title: { type: 'string', minLength: 1, maxLength: 500 },
            kind: { type: 'string', enum: ['video', 'folder'] },
          },
        },
      },
    },
    async (request, reply) => {
      if (!contentServiceUrl) return reply.notFound('content seeding is only available in development mode');
      const { orgId } = request.params;
      if (!(await organizations.get(orgId))) return reply.notFound(`organization ${orgId} not found`);
      // Deprovisioned users keep their content until it moves, so they may be seeded too.
      if (!(await directory.userIncludingDeleted(orgId, request.body.ownerUserId)))
        return reply.notFound(`user ${request.body.ownerUserId} not found in organization ${orgId}`);
      let response: Response;
      try {
        response = await fetch(`${contentServiceUrl}/internal/content`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${adminToken}` },
          body: JSON.stringify({ tenant: orgId, ...request.body }),
          signal: AbortSignal.timeout(SEEDING_TIMEOUT_MS),
        });
      } catch (err) {
        // Content-transfer restarting or unreachable: an outage, not a bug.
        request.log.warn({ err }, 'content seeding endpoint unavailable');
        reply.header('retry-after', String(RETRY_AFTER_SECONDS));
        return reply.serviceUnavailable('the content service is unavailable; retry later');
      }
      return reply.code(response.status).send(await response.json());
    },
  );
};
