import type { FastifyInstance } from 'fastify';
import type { DirectoryReader } from '../../store/directory.ts';

/** Pushed groups of an org with their workspace link (linked to the workspace of the same name, or not). */
export const groupRoutes = async (app: FastifyInstance, { directory }: { directory: DirectoryReader }) => {
  app.get<{ Params: { orgId: string } }>('/orgs/:orgId/groups', async (request) => {
    const tenant = request.params.orgId;
    const page = await directory.listGroups(tenant, { startIndex: 1, count: 10_000 });
    const groups = await directory.withWorkspaceLinks(tenant, page.resources);
    return {
      items: groups.map((g) => ({
        id: g._id,
        displayName: g.resource.displayName,
        members: g.memberCount,
        workspaceLink: g.workspaceLink,
      })),
    };
  });
};
