import sensible from '@fastify/sensible';
import type { Logger, OrganizationSettings } from '@roster/service-kit';
import Fastify from 'fastify';
import { adminAuth } from './http/admin-auth.ts';
import { adminErrorHandling } from './http/admin-errors.ts';
import { type BackpressureOptions, backpressureGuard } from './http/backpressure-guard.ts';
import { pathOf, requestLogSerializers } from './http/request-log.ts';
import { requestTelemetry } from './http/request-telemetry.ts';
import { scimAuth } from './http/scim-auth.ts';
import { answerFrameworkError, scimErrorHandling } from './http/scim-errors.ts';
import { scimMedia } from './http/scim-media.ts';
import { serverSpan } from './http/server-span.ts';
import { TenantFairness, type TenantShare } from './http/tenant-fairness.ts';
import type { AdminChanges } from './pipeline/admin-changes.ts';
import type { CommandBus } from './pipeline/command-bus.ts';
import { auditRoutes } from './routes/admin/audit.ts';
import { contentRoutes } from './routes/admin/content.ts';
import { groupRoutes } from './routes/admin/groups.ts';
import { orgRoutes } from './routes/admin/orgs.ts';
import { scimTokenRoutes } from './routes/admin/scim-tokens.ts';
import { seatRoutes } from './routes/admin/seats.ts';
import { userRoutes } from './routes/admin/users.ts';
import { workspaceRoutes } from './routes/admin/workspaces.ts';
import { bulkRoutes } from './routes/scim/bulk.ts';
import { discoveryRoutes } from './routes/scim/discovery.ts';
import { groupsRoutes } from './routes/scim/groups.ts';
import { usersRoutes } from './routes/scim/users.ts';
import type { AuditTrailReader } from './store/audit-trail.ts';
import type { ContentItemsReader } from './store/content-items.ts';
import type { DirectoryReader } from './store/directory.ts';
import type { LicenseSeatsReader } from './store/license-seats.ts';
import type { Organizations } from './store/organizations.ts';
import type { ScimTokens } from './store/scim-tokens.ts';
import type { Workspaces } from './store/workspaces.ts';

export interface AppDeps {
  bus: CommandBus;
  directory: DirectoryReader;
  organizations: Organizations;
  workspaces: Workspaces;
  orgSettings: OrganizationSettings;
  tokens: ScimTokens;
  adminChanges: AdminChanges;
  audit: AuditTrailReader;
  seats: LicenseSeatsReader;
  contentItems: ContentItemsReader;
  contentServiceUrl: string | undefined;
  adminToken: string;
  logger: Logger;
  trustProxy: boolean;
  tenantShare: TenantShare;
  backpressure: BackpressureOptions;
}

/**
 * The ingress HTTP app: `/scim/v2` (IdPs, SCIM token auth, SCIM errors and media type) and
 * `/admin/v1` (operators, admin token auth, plain JSON), each in its own encapsulated scope.
 */
export const buildApp = async (deps: AppDeps) => {
  const app = Fastify({
    loggerInstance: deps.logger.child({}, { serializers: requestLogSerializers }),
    trustProxy: deps.trustProxy,
    routerOptions: { caseSensitive: false, ignoreTrailingSlash: true },
    bodyLimit: 1_048_576,
    frameworkErrors: answerFrameworkError,
  });
  await app.register(sensible);
  await app.register(serverSpan);

  app.get('/healthz', async () => ({ status: 'ok' }));
  // Outside /scim/v2 (which answers SCIM errors): a plain 404 that, unlike fastify's default,
  // neither logs nor echoes the query string.
  app.setNotFoundHandler((request, reply) =>
    reply.notFound(`no endpoint ${request.method} ${pathOf(request)}`),
  );

  await app.register(
    async (scim) => {
      await scim.register(scimMedia);
      await scim.register(scimErrorHandling);
      await scim.register(requestTelemetry);
      await scim.register(scimAuth, { tokens: deps.tokens });
      await scim.register(backpressureGuard, deps.backpressure);
      const fairness = new TenantFairness(deps.tenantShare);
      await scim.register(fairness.hooks);
      const routeDeps = {
        bus: fairness.paced(deps.bus),
        directory: deps.directory,
        organizations: deps.orgSettings,
      };
      await scim.register(usersRoutes, routeDeps);
      await scim.register(groupsRoutes, routeDeps);
      await scim.register(discoveryRoutes);
      await scim.register(bulkRoutes);
    },
    { prefix: '/scim/v2' },
  );

  await app.register(
    async (admin) => {
      await admin.register(adminErrorHandling);
      await admin.register(adminAuth, { adminToken: deps.adminToken });
      const { organizations, directory, adminChanges: changes } = deps;
      await admin.register(orgRoutes, { organizations, changes });
      await admin.register(workspaceRoutes, { organizations, workspaces: deps.workspaces, changes });
      await admin.register(scimTokenRoutes, { organizations, tokens: deps.tokens });
      await admin.register(userRoutes, { directory });
      await admin.register(groupRoutes, { directory });
      await admin.register(auditRoutes, { audit: deps.audit });
      await admin.register(seatRoutes, { seats: deps.seats, organizations });
      await admin.register(contentRoutes, {
        contentItems: deps.contentItems,
        organizations,
        directory,
        contentServiceUrl: deps.contentServiceUrl,
        adminToken: deps.adminToken,
      });
    },
    { prefix: '/admin/v1' },
  );
  return app;
};
