import { randomUUID } from 'node:crypto';
import { MESSAGE } from '@roster/contracts';
import type { FastifyInstance } from 'fastify';
import { type Projection, renderDocument, sendCommandResponse, sendResource } from '../../http/respond.ts';
import { commandFor } from '../../pipeline/commands.ts';
import { normalizeGroup } from '../../scim/normalize/group.ts';
import { normalizePatch } from '../../scim/normalize/patch.ts';
import { type IdParams, idParams, projectionQuerystring, type ScimRouteDeps } from './context.ts';
import { type ListQuerystring, listQuerystringSchema, toListQuery } from './list-query.ts';

const excludesMembers = (excluded: string | undefined): boolean =>
  (excluded ?? '').split(',').some(
    (name) =>
      name
        .trim()
        .toLowerCase()
        .replace(/^urn:ietf:params:scim:schemas:core:2\.0:group:/, '') === 'members',
  );

/** /Groups (pushed groups): same read/write split as /Users. */
export const groupsRoutes = async (
  app: FastifyInstance,
  { bus, directory, organizations }: ScimRouteDeps,
) => {
  app.get<{ Querystring: ListQuerystring }>(
    '/Groups',
    { schema: { querystring: listQuerystringSchema } },
    async (request) => {
      const query = toListQuery(request.query);
      const withMembers = !excludesMembers(request.query.excludedAttributes);
      const page = await directory.listGroups(request.scimIdentity.tenant, query, withMembers);
      return {
        schemas: [MESSAGE.listResponse],
        totalResults: page.totalResults,
        startIndex: query.startIndex,
        itemsPerPage: page.resources.length,
        Resources: page.resources.map((doc) =>
          renderDocument(
            request,
            'Group',
            withMembers ? doc : { ...doc, resource: { ...doc.resource, members: [] } },
            request.query,
          ),
        ),
      };
    },
  );

  app.get<{ Params: IdParams; Querystring: Projection }>(
    '/Groups/:id',
    { schema: { params: idParams, querystring: projectionQuerystring } },
    async (request, reply) =>
      sendResource(
        request,
        reply,
        'Group',
        await directory.group(request.scimIdentity.tenant, request.params.id),
        request.params.id,
      ),
  );

  app.post<{ Querystring: Projection }>('/Groups', async (request, reply) => {
    const group = normalizeGroup(request.body);
    const response = await bus.send(
      commandFor(request, 'roster.command.group.create.v1', randomUUID(), { group }),
    );
    return sendCommandResponse(request, reply, response);
  });

  app.put<{ Params: IdParams; Querystring: Projection }>(
    '/Groups/:id',
    { schema: { params: idParams } },
    async (request, reply) => {
      const group = normalizeGroup(request.body);
      const command = commandFor(request, 'roster.command.group.replace.v1', request.params.id, { group });
      return sendCommandResponse(request, reply, await bus.send(command));
    },
  );

  app.patch<{ Params: IdParams; Querystring: Projection }>(
    '/Groups/:id',
    { schema: { params: idParams } },
    async (request, reply) => {
      const operations = normalizePatch(request.body, 'Group', {
        roleType: await organizations.roleType(request.scimIdentity.tenant),
      });
      const command = commandFor(request, 'roster.command.group.patch.v1', request.params.id, { operations });
      return sendCommandResponse(request, reply, await bus.send(command));
    },
  );

  app.delete<{ Params: IdParams; Querystring: Projection }>(
    '/Groups/:id',
    { schema: { params: idParams } },
    async (request, reply) => {
      const command = commandFor(request, 'roster.command.group.delete.v1', request.params.id, {});
      return sendCommandResponse(request, reply, await bus.send(command));
    },
  );
};
