import { ERROR_MESSAGE_URN } from '@roster/contracts';
import { scimErrors } from './errors.ts';

/** The SCIM API message URNs (RFC 7644 §3); the Error one travels in command results (contracts). */
export const MESSAGE = {
  error: ERROR_MESSAGE_URN,
  listResponse: 'urn:ietf:params:scim:api:messages:2.0:ListResponse',
  patchOp: 'urn:ietf:params:scim:api:messages:2.0:PatchOp',
  bulkRequest: 'urn:ietf:params:scim:api:messages:2.0:BulkRequest',
  bulkResponse: 'urn:ietf:params:scim:api:messages:2.0:BulkResponse',
  searchRequest: 'urn:ietf:params:scim:api:messages:2.0:SearchRequest',
} as const;

/** A request body's `schemas` must list `required` (case-insensitively), e.g. the PatchOp URN. */
export const checkSchemas = (schemas: unknown, required: string): void => {
  const listed =
    Array.isArray(schemas) &&
    schemas.some((s) => typeof s === 'string' && s.toLowerCase() === required.toLowerCase());
  if (!listed) throw scimErrors.invalidSyntax(`'schemas' must be an array that includes "${required}"`);
};
