import type { ContentItemDocument } from '@roster/contracts';
import type { FastifyInstance } from 'fastify';
import type { ContentItemsReader } from '../../store/content-items.ts';
import type { Organizations } from '../../store/organizations.ts';

interface Deps {
  contentItems: ContentItemsReader;
  organizations: Organizations;
  /** The content-transfer service's development seeding endpoint; absent outside development mode. */
  contentServiceUrl: string | undefined;
}

const view = ({ _id, ...item }: ContentItemDocument) => ({ id: _id, ...item });

/**
 * Content items (the content-transfer service owns them): listing reads its collection; creating
 * one is a development-only convenience forwarded to that service, their only writer.
 */
export const contentRoutes = async (
  app: FastifyInstance,
  { contentItems, organizations, contentServiceUrl }: Deps,
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
      if (!(await organizations.get(request.params.orgId)))
        return reply.notFound(`organization ${request.params.orgId} not found`);
      const response = await fetch(`${contentServiceUrl}/internal/content`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ tenant: request.params.orgId, ...request.body }),
      });
      return reply.code(response.status).send(await response.json());
    },
  );
};
