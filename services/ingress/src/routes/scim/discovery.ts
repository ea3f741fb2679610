import { ALL_SCHEMAS, LIMITS, MESSAGE, RESOURCE_TYPES, ScimError } from '@roster/scim';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { baseUrlOf } from '../../http/respond.ts';

const SERVICE_PROVIDER_CONFIG = 'urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig';

const serviceProviderConfig = (request: FastifyRequest) => ({
  schemas: [SERVICE_PROVIDER_CONFIG],
  patch: { supported: true },
  bulk: {
    supported: true,
    maxOperations: LIMITS.maxBulkOperations,
    maxPayloadSize: LIMITS.maxBulkPayloadBytes,
  },
  filter: { supported: true, maxResults: LIMITS.maxResults },
  changePassword: { supported: false },
  sort: { supported: true },
  etag: { supported: true },
  authenticationSchemes: [
    {
      type: 'oauthbearertoken',
      name: 'OAuth Bearer Token',
      description: 'An organization SCIM token issued in the Roster admin API: Authorization: Bearer <token>',
      primary: true,
    },
  ],
  meta: { resourceType: 'ServiceProviderConfig', location: `${baseUrlOf(request)}/ServiceProviderConfig` },
});

const listOf = (resources: readonly object[]) => ({
  schemas: [MESSAGE.listResponse],
  totalResults: resources.length,
  startIndex: 1,
  itemsPerPage: resources.length,
  Resources: resources,
});

const withMeta = <T extends object>(
  request: FastifyRequest,
  kind: 'Schema' | 'ResourceType',
  id: string,
  resource: T,
) => ({
  ...resource,
  meta: { resourceType: kind, location: `${baseUrlOf(request)}/${kind}s/${id}` },
});

/** RFC 7644 §4 discovery endpoints: what an IdP reads before provisioning. */
export const discoveryRoutes = async (app: FastifyInstance) => {
  for (const path of ['/ServiceProviderConfig', '/serviceConfiguration']) {
    app.get(path, async (request) => serviceProviderConfig(request));
  }

  const schemas = (request: FastifyRequest) => ALL_SCHEMAS.map((s) => withMeta(request, 'Schema', s.id, s));
  app.get('/Schemas', async (request) => listOf(schemas(request)));
  app.get<{ Params: { id: string } }>('/Schemas/:id', async (request) => {
    const schema = schemas(request).find((s) => s.id === request.params.id);
    if (!schema) throw new ScimError(404, `schema ${request.params.id} not found`);
    return schema;
  });

  const resourceTypes = (request: FastifyRequest) =>
    Object.values(RESOURCE_TYPES).map((t) => withMeta(request, 'ResourceType', t.id, t));
  app.get('/ResourceTypes', async (request) => listOf(resourceTypes(request)));
  app.get<{ Params: { id: string } }>('/ResourceTypes/:id', async (request) => {
    const type = resourceTypes(request).find((t) => t.id.toLowerCase() === request.params.id.toLowerCase());
    if (!type) throw new ScimError(404, `resource type ${request.params.id} not found`);
    return type;
  });
};
