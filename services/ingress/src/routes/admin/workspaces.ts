import type { WorkspaceDocument } from '@roster/contracts';
import { isDuplicateKey } from '@roster/service-kit';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { AdminChanges } from '../../pipeline/admin-changes.ts';
import { workspaceChanged } from '../../pipeline/org-events.ts';
import type { Organizations } from '../../store/organizations.ts';
import type { Workspaces } from '../../store/workspaces.ts';

const view = ({ _id, ...rest }: WorkspaceDocument) => ({ id: _id, ...rest });
const nameBody = {
  type: 'object',
  additionalProperties: false,
  required: ['name'],
  properties: { name: { type: 'string', minLength: 1, maxLength: 200 }, isDefault: { type: 'boolean' } },
} as const;

interface Deps {
  organizations: Organizations;
  workspaces: Workspaces;
  changes: AdminChanges;
}

/** The store refused the name: the whole change was rolled back. */
const answerDuplicateName = (reply: FastifyReply, name: string, err: unknown): FastifyReply => {
  if (isDuplicateKey(err, 'name')) return reply.conflict(`a workspace named "${name}" already exists`);
  throw err;
};

/**
 * Workspaces of an org. A pushed group links to the workspace whose name equals its displayName
 * exactly. Each change commits with its announcement; a refused one (404, 409) changes nothing.
 */
export const workspaceRoutes = async (app: FastifyInstance, { organizations, workspaces, changes }: Deps) => {
  app.post<{ Params: { orgId: string }; Body: { name: string; isDefault?: boolean } }>(
    '/orgs/:orgId/workspaces',
    { schema: { body: nameBody } },
    async (request, reply) => {
      const { orgId } = request.params;
      const { name, isDefault = false } = request.body;
      try {
        const created = await changes.commit(async (session) => {
          if (!(await organizations.get(orgId, session))) return { outcome: undefined };
          const workspace = await workspaces.create(session, orgId, name, isDefault);
          const announce = workspaceChanged(workspace, 'created', undefined, request.headers.traceparent);
          return { outcome: workspace, announce };
        });
        if (!created) return reply.notFound(`organization ${orgId} not found`);
        return reply.code(201).send(view(created));
      } catch (err) {
        return answerDuplicateName(reply, name, err);
      }
    },
  );

  app.get<{ Params: { orgId: string } }>('/orgs/:orgId/workspaces', async (request, reply) => {
    const { orgId } = request.params;
    if (!(await organizations.get(orgId))) return reply.notFound(`organization ${orgId} not found`);
    return { items: (await workspaces.list(orgId)).map(view) };
  });

  app.patch<{ Params: { orgId: string; workspaceId: string }; Body: { name: string } }>(
    '/orgs/:orgId/workspaces/:workspaceId',
    { schema: { body: { ...nameBody, properties: { name: nameBody.properties.name } } } },
    async (request, reply) => {
      const { orgId, workspaceId } = request.params;
      const { name } = request.body;
      try {
        const renamed = await changes.commit(async (session) => {
          const done = await workspaces.rename(session, orgId, workspaceId, name);
          if (!done) return { outcome: undefined };
          const { workspace, previousName } = done;
          const announce = workspaceChanged(workspace, 'renamed', previousName, request.headers.traceparent);
          return { outcome: workspace, announce };
        });
        if (!renamed) return reply.notFound(`workspace ${workspaceId} not found`);
        return view(renamed);
      } catch (err) {
        return answerDuplicateName(reply, name, err);
      }
    },
  );
};
