import { USERS_COLLECTION, type UserDocument } from '@roster/contracts';
import type { FastifyInstance } from 'fastify';
import type { Db } from 'mongodb';

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

export const userRoutes = async (app: FastifyInstance, { db }: { db: Db }) => {
  const users = db.collection<UserDocument>(USERS_COLLECTION);
  app.get<{ Params: { orgId: string; userId: string } }>(
    '/orgs/:orgId/users/:userId',
    async (request, reply) => {
      const user = await users.findOne({ _id: request.params.userId, tenant: request.params.orgId });
      if (!user)
        return reply.notFound(
          `user ${request.params.userId} not found in organization ${request.params.orgId}`,
        );
      return stateOf(user);
    },
  );
};
