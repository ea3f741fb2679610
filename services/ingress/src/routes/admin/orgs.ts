import { LICENSES } from '@roster/contracts';
import type { FastifyInstance } from 'fastify';
import type { AdminChanges } from '../../pipeline/admin-changes.ts';
import { settingsChanged } from '../../pipeline/org-events.ts';
import type { NewOrganization, Organizations } from '../../store/organizations.ts';

const license = { type: 'string', enum: [...LICENSES] } as const;
const seatLimits = {
  type: 'object',
  additionalProperties: false,
  properties: Object.fromEntries(LICENSES.map((l) => [l, { type: 'integer', minimum: 0 }])),
} as const;

const orgBody = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'domains', 'autoCapture', 'ssoConfigured', 'defaultLicense'],
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 200 },
    domains: { type: 'array', items: { type: 'string', pattern: '^[A-Za-z0-9.-]+\\.[A-Za-z]{2,}$' } },
    autoCapture: { type: 'boolean' },
    ssoConfigured: { type: 'boolean' },
    defaultLicense: license,
    roleType: { type: 'string', minLength: 1, maxLength: 100 },
    seatLimits,
  },
} as const;

const orgPatch = { ...orgBody, required: [] } as const;

/**
 * Organizations: name, listed domains, auto-capture, SSO flag, default license, role type, seat
 * limits. A settings change commits with its announcement.
 */
export const orgRoutes = async (
  app: FastifyInstance,
  { organizations, changes }: { organizations: Organizations; changes: AdminChanges },
) => {
  app.post<{ Body: NewOrganization }>('/orgs', { schema: { body: orgBody } }, async (request, reply) => {
    const org = await organizations.create(request.body);
    return reply.code(201).send({ id: org._id, ...org, _id: undefined });
  });

  app.get<{ Params: { orgId: string } }>('/orgs/:orgId', async (request, reply) => {
    const org = await organizations.get(request.params.orgId);
    if (!org) return reply.notFound(`organization ${request.params.orgId} not found`);
    return { id: org._id, ...org, _id: undefined };
  });

  app.patch<{ Params: { orgId: string }; Body: Partial<NewOrganization> }>(
    '/orgs/:orgId',
    { schema: { body: orgPatch } },
    async (request, reply) => {
      const org = await changes.commit(async (session) => {
        const updated = await organizations.update(session, request.params.orgId, request.body);
        if (!updated) return { outcome: undefined };
        return { outcome: updated, announce: settingsChanged(updated, request.headers.traceparent) };
      });
      if (!org) return reply.notFound(`organization ${request.params.orgId} not found`);
      return { id: org._id, ...org, _id: undefined };
    },
  );
};
