import type { GroupDocument, UserDocument } from '@roster/contracts';
import {
  etagOf,
  ifNoneMatchMatches,
  projectResource,
  type ResourceTypeName,
  renderGroup,
  renderUser,
  resourceNotFound,
} from '@roster/scim';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { CommandResponse } from '../pipeline/command-bus.ts';
import { RETRY_AFTER_SECONDS, sendScimError } from './scim-errors.ts';

/** The SCIM base URL as the caller sees it (honours X-Forwarded-* behind a proxy when trusted). */
export const baseUrlOf = (request: FastifyRequest): string => `${request.protocol}://${request.host}/scim/v2`;

export interface Projection {
  attributes?: string;
  excludedAttributes?: string;
}

export const renderDocument = (
  request: FastifyRequest,
  resourceType: ResourceTypeName,
  document: UserDocument | GroupDocument,
  projection: Projection = {},
): Record<string, unknown> => {
  const base = baseUrlOf(request);
  const rendered =
    resourceType === 'User'
      ? renderUser(document as UserDocument, base)
      : renderGroup(document as GroupDocument, base);
  return projectResource(rendered, resourceType, projection);
};

/** Answers a SCIM GET of one resource, honouring If-None-Match (304) and projections. */
export const sendResource = (
  request: FastifyRequest<{ Querystring: Projection }>,
  reply: FastifyReply,
  resourceType: ResourceTypeName,
  document: UserDocument | GroupDocument | null,
  id: string,
): FastifyReply => {
  if (!document) return sendScimError(reply, resourceNotFound(resourceType, id));
  reply.header('etag', etagOf(document.meta.version));
  if (ifNoneMatchMatches(request.headers['if-none-match'], document.meta.version)) {
    return reply.code(304).send();
  }
  return reply.send(renderDocument(request, resourceType, document, request.query));
};

/** Turns a folded command result into the SCIM response the IdP gets. */
export const sendCommandResponse = (
  request: FastifyRequest<{ Querystring: Projection }>,
  reply: FastifyReply,
  response: CommandResponse,
): FastifyReply => {
  if (response.error) {
    if (response.status === 503) reply.header('retry-after', String(RETRY_AFTER_SECONDS));
    return reply.code(response.status).send(response.error);
  }
  if (response.status === 204 || !response.document || !response.resourceType)
    return reply.code(response.status).send();
  const document = response.document as UserDocument | GroupDocument;
  const body = renderDocument(request, response.resourceType, document, request.query);
  reply.header('etag', etagOf(document.meta.version));
  if (response.status === 201)
    reply.header('location', `${baseUrlOf(request)}/${response.resourceType}s/${document._id}`);
  return reply.code(response.status).send(body);
};
