import type { UserDocument } from '@roster/contracts';
import type { FastifyInstance } from 'fastify';
import type { DirectoryReader } from '../../store/directory.ts';

/** A user's full provisioning state as the status service folded it (also for SCIM-deleted accounts). */
const stateOf = (user: UserDocument) => {
  const view = user.provisioning;
  return {
    id: user._id,
    userName: user.resource.userName,
    active: user.resource.active && !user.scimDeleted,
    scimDeleted: user.scimDeleted,
    license: view?.license ?? null,
    role: view?.role ?? 'member',
    workspaces: (view?.workspaces ?? []).map((w) => w.name),
    contentTransfer: view?.contentTransfer ?? { state: 'none' },
    steps: view?.steps ?? {},
    meta: user.meta,
  };
};

export const userRoutes = async (app: FastifyInstance, { directory }: { directory: DirectoryReader }) => {
  app.get<{ Params: { orgId: string; userId: string } }>(
    '/orgs/:orgId/users/:userId',
    async (request, reply) => {
      const user = await directory.userIncludingDeleted(request.params.orgId, request.params.userId);
      if (!user)
        return reply.notFound(
          `user ${request.params.userId} not found in organization ${request.params.orgId}`,
        );
      return stateOf(user);
    },
  );
};
