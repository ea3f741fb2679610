import { randomUUID } from 'node:crypto';
import type { Command, GroupDocument } from '@roster/contracts';
import { MESSAGE, normalizeGroup, normalizePatch } from '@roster/scim';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { type Projection, renderDocument, sendCommandResponse, sendResource } from '../../http/respond.ts';
import { commandFor } from '../../pipeline/commands.ts';
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

/** /Groups (pushed groups): same read/write split as /Users; every group shows its workspace link. */
export const groupsRoutes = async (
  app: FastifyInstance,
  { bus, directory, organizations }: ScimRouteDeps,
) => {
  const linked = async (tenant: string, group: GroupDocument | null) =>
    group ? ((await directory.withWorkspaceLinks(tenant, [group]))[0] ?? group) : null;

  /** Sends a group command and answers with the folded result, the group's link included. */
  const execute = async (
    request: FastifyRequest<{ Querystring: Projection }>,
    reply: FastifyReply,
    command: Command,
  ) => {
    const response = await bus.send(command);
    const document = await linked(
      request.scimIdentity.tenant,
      (response.document as GroupDocument | undefined) ?? null,
    );
    return sendCommandResponse(request, reply, document ? { ...response, document } : response);
  };

  app.get<{ Querystring: ListQuerystring }>(
    '/Groups',
    { schema: { querystring: listQuerystringSchema } },
    async (request) => {
      const tenant = request.scimIdentity.tenant;
      const query = toListQuery(request.query);
      const withMembers = !excludesMembers(request.query.excludedAttributes);
      const page = await directory.listGroups(tenant, query, withMembers);
      const groups = await directory.withWorkspaceLinks(tenant, page.resources);
      return {
        schemas: [MESSAGE.listResponse],
        totalResults: page.totalResults,
        startIndex: query.startIndex,
        itemsPerPage: groups.length,
        Resources: groups.map((doc) =>
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
    async (request, reply) => {
      const tenant = request.scimIdentity.tenant;
      const group = await linked(tenant, await directory.group(tenant, request.params.id));
      return sendResource(request, reply, 'Group', group, request.params.id);
    },
  );

  app.post<{ Querystring: Projection }>('/Groups', async (request, reply) => {
    const group = normalizeGroup(request.body);
    return execute(
      request,
      reply,
      commandFor(request, 'roster.command.group.create.v1', randomUUID(), { group }),
    );
  });

  /** PUT, PATCH and DELETE of /Groups/:id: each one command about the group the path names. */
  const onGroup = (
    method: 'PUT' | 'PATCH' | 'DELETE',
    commandOf: (request: FastifyRequest<{ Params: IdParams }>) => Command | Promise<Command>,
  ) =>
    app.route<{ Params: IdParams; Querystring: Projection }>({
      method,
      url: '/Groups/:id',
      schema: { params: idParams },
      handler: async (request, reply) => execute(request, reply, await commandOf(request)),
    });

  onGroup('PUT', (request) =>
    commandFor(request, 'roster.command.group.replace.v1', request.params.id, {
      group: normalizeGroup(request.body),
    }),
  );

  onGroup('PATCH', async (request) => {
    const operations = normalizePatch(request.body, 'Group', {
      roleType: await organizations.roleType(request.scimIdentity.tenant),
    });
    return commandFor(request, 'roster.command.group.patch.v1', request.params.id, { operations });
  });

  onGroup('DELETE', (request) =>
    commandFor(request, 'roster.command.group.delete.v1', request.params.id, {}),
  );
};
