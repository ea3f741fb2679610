import { LICENSES } from '@roster/contracts';
import type { FastifyInstance } from 'fastify';
import type { LicenseSeatsReader } from '../../store/license-seats.ts';
import type { Organizations } from '../../store/organizations.ts';

/** Seats in use per license type (the licensing service's read model) against the org's limits. */
export const seatRoutes = async (
  app: FastifyInstance,
  { seats, organizations }: { seats: LicenseSeatsReader; organizations: Organizations },
) => {
  app.get<{ Params: { orgId: string } }>('/orgs/:orgId/seats', async (request, reply) => {
    const org = await organizations.get(request.params.orgId);
    if (!org) return reply.notFound(`organization ${request.params.orgId} not found`);
    const inUse = await seats.inUse(org._id);
    return {
      licenses: LICENSES.map((license) => ({
        license,
        inUse: inUse.get(license) ?? 0,
        limit: org.seatLimits[license] ?? null,
      })),
    };
  });
};
