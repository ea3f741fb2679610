import { AUDIT_COLLECTION, type AuditEntry } from '@roster/contracts';
import type { FastifyInstance } from 'fastify';
import type { Db, Filter } from 'mongodb';

const PAGE = { type: 'integer', minimum: 1, maximum: 500 } as const;

interface Cursor {
  at: string;
  id: string;
}

const encodeCursor = (entry: AuditEntry): string =>
  Buffer.from(JSON.stringify({ at: entry.at, id: entry._id })).toString('base64url');

const decodeCursor = (cursor: string): Cursor | undefined => {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Cursor;
    return typeof parsed.at === 'string' && typeof parsed.id === 'string' ? parsed : undefined;
  } catch {
    return undefined;
  }
};

/** The audit trail of an org (or of one user), newest first, paginated by an opaque cursor. */
export const auditRoutes = async (app: FastifyInstance, { db }: { db: Db }) => {
  const audit = db.collection<AuditEntry>(AUDIT_COLLECTION);
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
      const where: Filter<AuditEntry> = {
        tenant: request.params.orgId,
        ...(userId ? { resourceId: userId } : {}),
        ...(after ? { $or: [{ at: { $lt: after.at } }, { at: after.at, _id: { $lt: after.id } }] } : {}),
      };
      const page = await audit.find(where, { sort: { at: -1, _id: -1 }, limit: limit + 1 }).toArray();
      const items = page.slice(0, limit);
      const last = items.at(-1);
      return {
        items: items.map(({ _id, ...entry }) => ({ id: _id, ...entry })),
        next: page.length > limit && last ? encodeCursor(last) : null,
      };
    },
  );
};
