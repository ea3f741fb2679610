import type { WorkspaceDocument } from '@roster/contracts';
import type { FastifyInstance } from 'fastify';
import type { OrgEvents } from '../../tenancy/org-events.ts';
import type { Organizations } from '../../tenancy/organizations.ts';

const view = ({ _id, ...rest }: WorkspaceDocument) => ({ id: _id, ...rest });
const nameBody = {
  type: 'object',
  additionalProperties: false,
  required: ['name'],
  properties: { name: { type: 'string', minLength: 1, maxLength: 200 }, isDefault: { type: 'boolean' } },
} as const;

const isDuplicate = (err: unknown) => (err as { code?: number }).code === 11000;

/** Workspaces of an org. A pushed group links to the workspace whose name equals its displayName exactly. */
export const workspaceRoutes = async (
  app: FastifyInstance,
  { organizations, events }: { organizations: Organizations; events: OrgEvents },
) => {
  app.post<{ Params: { orgId: string }; Body: { name: string; isDefault?: boolean } }>(
    '/orgs/:orgId/workspaces',
    { schema: { body: nameBody } },
    async (request, reply) => {
      const { orgId } = request.params;
      if (!(await organizations.get(orgId))) return reply.notFound(`organization ${orgId} not found`);
      try {
        const workspace = await organizations.createWorkspace(
          orgId,
          request.body.name,
          request.body.isDefault ?? false,
        );
        await events.workspaceChanged(workspace, 'created', undefined, request.headers.traceparent);
        return reply.code(201).send(view(workspace));
      } catch (err) {
        if (isDuplicate(err))
          return reply.conflict(`a workspace named "${request.body.name}" already exists`);
        throw err;
      }
    },
  );

  app.get<{ Params: { orgId: string } }>('/orgs/:orgId/workspaces', async (request, reply) => {
    const { orgId } = request.params;
    if (!(await organizations.get(orgId))) return reply.notFound(`organization ${orgId} not found`);
    return { items: (await organizations.listWorkspaces(orgId)).map(view) };
  });

  app.patch<{ Params: { orgId: string; workspaceId: string }; Body: { name: string } }>(
    '/orgs/:orgId/workspaces/:workspaceId',
    { schema: { body: { ...nameBody, properties: { name: nameBody.properties.name } } } },
    async (request, reply) => {
      const { orgId, workspaceId } = request.params;
      try {
        const previous = await organizations.workspaces.findOne({ _id: workspaceId, tenant: orgId });
        const workspace = await organizations.renameWorkspace(orgId, workspaceId, request.body.name);
        if (!previous || !workspace) return reply.notFound(`workspace ${workspaceId} not found`);
        await events.workspaceChanged(workspace, 'renamed', previous.name, request.headers.traceparent);
        return view(workspace);
      } catch (err) {
        if (isDuplicate(err))
          return reply.conflict(`a workspace named "${request.body.name}" already exists`);
        throw err;
      }
    },
  );
};
