import type { AuditEntry } from '@roster/contracts';
import type { FastifyInstance } from 'fastify';
import type { AuditPosition, AuditTrailReader } from '../../store/audit-trail.ts';

const PAGE = { type: 'integer', minimum: 1, maximum: 500 } as const;

const encodeCursor = (entry: AuditEntry): string =>
  Buffer.from(JSON.stringify({ at: entry.at, id: entry._id })).toString('base64url');

const decodeCursor = (cursor: string): AuditPosition | undefined => {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as AuditPosition;
    return typeof parsed.at === 'string' && typeof parsed.id === 'string' ? parsed : undefined;
  } catch {
    return undefined;
  }
};

/** The audit trail of an org (or of one user), newest first, paginated by an opaque cursor. */
export const auditRoutes = async (app: FastifyInstance, { audit }: { audit: AuditTrailReader }) => {
  app.get<{ Params: { orgId: string }; Querystring: { userId?: string; cursor?: string; limit?: number } }>(
    '/orgs/:orgId/audit',
    {
      schema: {
        querystring: {
          type: 'object',
          properties: { userId: { type: 'string' }, cursor: { type: 'string' }, limit: PAGE },
        },
      },
    },
    async (request, reply) => {
      const { userId, cursor, limit = 50 } = request.query;
      const after = cursor === undefined ? undefined : decodeCursor(cursor);
      if (cursor !== undefined && !after) return reply.badRequest('cursor is not one this API returned');
      const page = await audit.page(request.params.orgId, { resourceId: userId, after, limit });
      const last = page.entries.at(-1);
      return {
        items: page.entries.map(({ _id, ...entry }) => ({ id: _id, ...entry })),
        next: page.hasMore && last ? encodeCursor(last) : null,
      };
    },
  );
};
