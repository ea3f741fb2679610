import { randomUUID } from 'node:crypto';
import type { PatchOperation } from '@roster/contracts';
import { MESSAGE, normalizePatch, normalizeUser } from '@roster/scim';
import type { FastifyInstance } from 'fastify';
import {
  type Projection,
  projectionOf,
  renderDocument,
  sendCommandResponse,
  sendResource,
} from '../../http/respond.ts';
import { commandFor } from '../../pipeline/commands.ts';
import { type IdParams, idParams, projectionQuerystring, type ScimRouteDeps } from './context.ts';
import { type ListQuerystring, listQuerystringSchema, toListQuery } from './list-query.ts';

/** A PATCH whose only change is `active` is a deactivation or reactivation (Okta and Entra deprovisioning). */
const activationOf = (operations: PatchOperation[]): boolean | undefined => {
  const [only] = operations;
  if (operations.length !== 1 || !only || only.op === 'remove') return undefined;
  if (only.path.attribute !== 'active' || only.path.subAttribute || only.path.valueFilter) return undefined;
  return typeof only.value === 'boolean' ? only.value : undefined;
};

/** /Users: reads from the directory read model; writes become commands and wait for their result. */
export const usersRoutes = async (app: FastifyInstance, { bus, directory, organizations }: ScimRouteDeps) => {
  const roleTypeOf = (tenant: string) => organizations.roleType(tenant);

  app.get<{ Querystring: ListQuerystring }>(
    '/Users',
    { schema: { querystring: listQuerystringSchema } },
    async (request) => {
      const projection = projectionOf(request, 'User');
      const query = toListQuery(request.query);
      const page = await directory.listUsers(request.scimIdentity.tenant, query);
      return {
        schemas: [MESSAGE.listResponse],
        totalResults: page.totalResults,
        startIndex: query.startIndex,
        itemsPerPage: page.resources.length,
        Resources: page.resources.map((doc) => renderDocument(request, doc, projection)),
      };
    },
  );

  app.get<{ Params: IdParams; Querystring: Projection }>(
    '/Users/:id',
    { schema: { params: idParams, querystring: projectionQuerystring } },
    async (request, reply) => {
      const projection = projectionOf(request, 'User');
      const user = await directory.user(request.scimIdentity.tenant, request.params.id);
      return sendResource(request, reply, projection, user, request.params.id);
    },
  );

  app.post<{ Querystring: Projection }>('/Users', async (request, reply) => {
    const projection = projectionOf(request, 'User');
    const user = normalizeUser(request.body, { roleType: await roleTypeOf(request.scimIdentity.tenant) });
    const response = await bus.send(
      commandFor(request, 'roster.command.user.create.v1', randomUUID(), { user }),
    );
    return sendCommandResponse(request, reply, response, projection);
  });

  app.put<{ Params: IdParams; Querystring: Projection }>(
    '/Users/:id',
    { schema: { params: idParams } },
    async (request, reply) => {
      const projection = projectionOf(request, 'User');
      const user = normalizeUser(request.body, { roleType: await roleTypeOf(request.scimIdentity.tenant) });
      const command = commandFor(request, 'roster.command.user.replace.v1', request.params.id, { user });
      return sendCommandResponse(request, reply, await bus.send(command), projection);
    },
  );

  app.patch<{ Params: IdParams; Querystring: Projection }>(
    '/Users/:id',
    { schema: { params: idParams } },
    async (request, reply) => {
      const projection = projectionOf(request, 'User');
      const operations = normalizePatch(request.body, 'User', {
        roleType: await roleTypeOf(request.scimIdentity.tenant),
      });
      const activation = activationOf(operations);
      const id = request.params.id;
      const command =
        activation === undefined
          ? commandFor(request, 'roster.command.user.patch.v1', id, { operations })
          : commandFor(
              request,
              activation ? 'roster.command.user.reactivate.v1' : 'roster.command.user.deactivate.v1',
              id,
              {},
            );
      return sendCommandResponse(request, reply, await bus.send(command), projection);
    },
  );

  app.delete<{ Params: IdParams; Querystring: Projection }>(
    '/Users/:id',
    { schema: { params: idParams } },
    async (request, reply) => {
      const projection = projectionOf(request, 'User');
      const command = commandFor(request, 'roster.command.user.delete.v1', request.params.id, {});
      return sendCommandResponse(request, reply, await bus.send(command), projection);
    },
  );
};
