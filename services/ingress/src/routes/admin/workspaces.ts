import type { WorkspaceDocument } from '@roster/contracts';
import { isDuplicateKey } from '@roster/service-kit';
import type { FastifyInstance } from 'fastify';
import type { OrgEvents } from '../../pipeline/org-events.ts';
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
  events: OrgEvents;
}

/** Workspaces of an org. A pushed group links to the workspace whose name equals its displayName exactly. */
export const workspaceRoutes = async (app: FastifyInstance, { organizations, workspaces, events }: Deps) => {
  app.post<{ Params: { orgId: string }; Body: { name: string; isDefault?: boolean } }>(
    '/orgs/:orgId/workspaces',
    { schema: { body: nameBody } },
    async (request, reply) => {
      const { orgId } = request.params;
      if (!(await organizations.get(orgId))) return reply.notFound(`organization ${orgId} not found`);
      try {
        const workspace = await workspaces.create(orgId, request.body.name, request.body.isDefault ?? false);
        await events.workspaceChanged(workspace, 'created', undefined, request.headers.traceparent);
        return reply.code(201).send(view(workspace));
      } catch (err) {
        if (isDuplicateKey(err))
          return reply.conflict(`a workspace named "${request.body.name}" already exists`);
        throw err;
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
      try {
        const renamed = await workspaces.rename(orgId, workspaceId, request.body.name);
        if (!renamed) return reply.notFound(`workspace ${workspaceId} not found`);
        const { workspace, previousName } = renamed;
        await events.workspaceChanged(workspace, 'renamed', previousName, request.headers.traceparent);
        return view(workspace);
      } catch (err) {
        if (isDuplicateKey(err))
          return reply.conflict(`a workspace named "${request.body.name}" already exists`);
        throw err;
      }
    },
  );
};
