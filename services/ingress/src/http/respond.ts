import type { GroupView, UserDocument } from '@roster/contracts';
import {
  AttributeProjection,
  etagOf,
  ifNoneMatchMatches,
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

/** The `attributes` / `excludedAttributes` query parameters. */
export interface Projection {
  attributes?: string;
  excludedAttributes?: string;
}

/**
 * The projection a request asks for. Routes read it first: a malformed name is a 400 before
 * anything is read or written.
 */
export const projectionOf = (
  request: FastifyRequest<{ Querystring: Projection }>,
  resourceType: ResourceTypeName,
): AttributeProjection => new AttributeProjection(request.query, resourceType);

export const renderDocument = (
  request: FastifyRequest,
  document: UserDocument | GroupView,
  projection: AttributeProjection,
): Record<string, unknown> => {
  const base = baseUrlOf(request);
  const rendered =
    projection.resourceType === 'User'
      ? renderUser(document as UserDocument, base)
      : renderGroup(document as GroupView, base);
  return projection.apply(rendered);
};

/** Answers a SCIM GET of one resource, honouring If-None-Match (304) and projections. */
export const sendResource = (
  request: FastifyRequest,
  reply: FastifyReply,
  projection: AttributeProjection,
  document: UserDocument | GroupView | null,
  id: string,
): FastifyReply => {
  if (!document) return sendScimError(reply, resourceNotFound(projection.resourceType, id));
  reply.header('etag', etagOf(document.meta.version));
  if (ifNoneMatchMatches(request.headers['if-none-match'], document.meta.version)) {
    return reply.code(304).send();
  }
  return reply.send(renderDocument(request, document, projection));
};

/**
 * Turns a folded command result into the SCIM response the IdP gets. `noContent` answers a
 * success with `204 No Content` and the new version's ETag instead of the resource.
 */
export const sendCommandResponse = (
  request: FastifyRequest,
  reply: FastifyReply,
  response: CommandResponse,
  projection: AttributeProjection,
  answer: 'resource' | 'noContent' = 'resource',
): FastifyReply => {
  if (response.error) {
    if (response.status === 503) reply.header('retry-after', String(RETRY_AFTER_SECONDS));
    return reply.code(response.status).send(response.error);
  }
  const document = response.document as UserDocument | GroupView | undefined;
  if (answer === 'noContent') {
    if (document) reply.header('etag', etagOf(document.meta.version));
    return reply.code(204).send();
  }
  if (response.status === 204 || !document || !response.resourceType)
    return reply.code(response.status).send();
  reply.header('etag', etagOf(document.meta.version));
  if (response.status === 201)
    reply.header('location', `${baseUrlOf(request)}/${response.resourceType}s/${document._id}`);
  return reply.code(response.status).send(renderDocument(request, document, projection));
};
