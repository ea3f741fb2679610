import { randomUUID } from 'node:crypto';
import type { Command, GroupDocument, GroupView } from '@roster/contracts';
import { type AttributeProjection, MESSAGE, normalizeGroup, normalizePatch } from '@roster/scim';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
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

/**
 * /Groups (pushed groups): same read/write split as /Users; every group shows its workspace link
 * and its members' display names. PATCH answers 204 No Content (as Entra expects; a 100,000-member
 * group is not sent back) unless the request asks for a representation with `attributes` or
 * `excludedAttributes`: then 200 with the projected group (RFC 7644 §3.5.2 allows both).
 */
export const groupsRoutes = async (
  app: FastifyInstance,
  { bus, directory, organizations }: ScimRouteDeps,
) => {
  /**
   * Groups as the response shows them: linked, with their members only when members are shown
   * (`excludedAttributes=members` reads none), and member displays unless those are not shown.
   */
  const presented = async (tenant: string, groups: GroupDocument[], projection: AttributeProjection) => {
    const withMembers = await directory.withMembers(tenant, groups, projection.shows('members'));
    const linked = await directory.withWorkspaceLinks(tenant, withMembers);
    return projection.shows('members.display') ? directory.withMemberDisplays(tenant, linked) : linked;
  };

  const presentedOne = async (
    tenant: string,
    group: GroupDocument | null,
    projection: AttributeProjection,
  ): Promise<GroupView | null> =>
    group ? ((await presented(tenant, [group], projection))[0] ?? null) : null;

  /** Sends a group command and answers with the folded result, presented like a GET. */
  const execute = async (
    request: FastifyRequest<{ Querystring: Projection }>,
    reply: FastifyReply,
    command: Command,
    projection: AttributeProjection,
    answer: 'resource' | 'noContent' = 'resource',
  ) => {
    const response = await bus.send(command);
    const group = response.document as GroupDocument | undefined;
    const shown = group && answer === 'resource' && response.status !== 204 && !response.error;
    if (!shown) return sendCommandResponse(request, reply, response, projection, answer);
    const [document] = await presented(request.scimIdentity.tenant, [group], projection);
    return sendCommandResponse(request, reply, { ...response, document }, projection);
  };

  app.get<{ Querystring: ListQuerystring }>(
    '/Groups',
    { schema: { querystring: listQuerystringSchema } },
    async (request) => {
      const tenant = request.scimIdentity.tenant;
      const projection = projectionOf(request, 'Group');
      const query = toListQuery(request.query);
      const page = await directory.listGroups(tenant, query);
      const groups = await presented(tenant, page.resources, projection);
      return {
        schemas: [MESSAGE.listResponse],
        totalResults: page.totalResults,
        startIndex: query.startIndex,
        itemsPerPage: groups.length,
        Resources: groups.map((doc) => renderDocument(request, doc, projection)),
      };
    },
  );

  app.get<{ Params: IdParams; Querystring: Projection }>(
    '/Groups/:id',
    { schema: { params: idParams, querystring: projectionQuerystring } },
    async (request, reply) => {
      const tenant = request.scimIdentity.tenant;
      const projection = projectionOf(request, 'Group');
      const group = await presentedOne(tenant, await directory.group(tenant, request.params.id), projection);
      return sendResource(request, reply, projection, group, request.params.id);
    },
  );

  app.post<{ Querystring: Projection }>('/Groups', async (request, reply) => {
    const projection = projectionOf(request, 'Group');
    const group = normalizeGroup(request.body);
    return execute(
      request,
      reply,
      commandFor(request, 'roster.command.group.create.v1', randomUUID(), { group }),
      projection,
    );
  });

  /** PUT, PATCH and DELETE of /Groups/:id: each one command about the group the path names. */
  const onGroup = (
    method: 'PUT' | 'PATCH' | 'DELETE',
    commandOf: (request: FastifyRequest<{ Params: IdParams }>) => Command | Promise<Command>,
    answerOf: (projection: AttributeProjection) => 'resource' | 'noContent' = () => 'resource',
  ) =>
    app.route<{ Params: IdParams; Querystring: Projection }>({
      method,
      url: '/Groups/:id',
      schema: { params: idParams },
      handler: async (request, reply) => {
        const projection = projectionOf(request, 'Group');
        return execute(request, reply, await commandOf(request), projection, answerOf(projection));
      },
    });

  onGroup('PUT', (request) =>
    commandFor(request, 'roster.command.group.replace.v1', request.params.id, {
      group: normalizeGroup(request.body),
    }),
  );

  onGroup(
    'PATCH',
    async (request) => {
      const operations = normalizePatch(request.body, 'Group', {
        roleType: await organizations.roleType(request.scimIdentity.tenant),
      });
      return commandFor(request, 'roster.command.group.patch.v1', request.params.id, { operations });
    },
    (projection) => (projection.requested ? 'resource' : 'noContent'),
  );

  onGroup('DELETE', (request) =>
    commandFor(request, 'roster.command.group.delete.v1', request.params.id, {}),
  );
};
