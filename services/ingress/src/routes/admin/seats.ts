import { LICENSE_SEATS_COLLECTION, LICENSES, type LicenseSeatsDocument } from '@roster/contracts';
import type { FastifyInstance } from 'fastify';
import type { Db } from 'mongodb';
import type { Organizations } from '../../tenancy/organizations.ts';

/** Seats in use per license type (the licensing service's read model) against the org's limits. */
export const seatRoutes = async (
  app: FastifyInstance,
  { db, organizations }: { db: Db; organizations: Organizations },
) => {
  const seats = db.collection<LicenseSeatsDocument>(LICENSE_SEATS_COLLECTION);
  app.get<{ Params: { orgId: string } }>('/orgs/:orgId/seats', async (request, reply) => {
    const org = await organizations.get(request.params.orgId);
    if (!org) return reply.notFound(`organization ${request.params.orgId} not found`);
    const inUse = new Map((await seats.find({ tenant: org._id }).toArray()).map((s) => [s.license, s.inUse]));
    return {
      licenses: LICENSES.map((license) => ({
        license,
        inUse: inUse.get(license) ?? 0,
        limit: org.seatLimits[license] ?? null,
      })),
    };
  });
};
