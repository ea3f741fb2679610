import { connectKafka, connectMongo, type Logger, OrganizationSettings } from '@roster/service-kit';
import { buildApp } from './app.ts';
import type { IngressConfig } from './config.ts';
import { CommandBus } from './pipeline/command-bus.ts';
import { OrgEvents } from './pipeline/org-events.ts';
import { AuditTrailReader } from './store/audit-trail.ts';
import { ContentItemsReader } from './store/content-items.ts';
import { DirectoryReader } from './store/directory.ts';
import { LicenseSeatsReader } from './store/license-seats.ts';
import { Organizations } from './store/organizations.ts';
import { ScimTokens } from './store/scim-tokens.ts';
import { Workspaces } from './store/workspaces.ts';

export interface RunningIngress {
  url: string;
  /** Rejects if the results consumer crashed for good (the process ends and is restarted). */
  crashed: Promise<never>;
  stop(): Promise<void>;
}

/**
 * How long one call of the ingress to the store (a token check, a read) or to the broker (a
 * publish) may take: a frozen or unreachable server is answered 503 + Retry-After after this,
 * well within an IdP's patience, whatever the SCIM deadline.
 */
const BACKEND_CALL_TIMEOUT_MS = 5_000;

/** Starts the ingress: joins the results topic first, then listens for SCIM and admin calls. */
export const startIngress = async (config: IngressConfig, log: Logger): Promise<RunningIngress> => {
  const mongo = await connectMongo(config.mongoUrl, config.mongoDatabase, {
    operationTimeoutMs: BACKEND_CALL_TIMEOUT_MS,
  });
  const workspaces = new Workspaces(mongo.db);
  const tokens = new ScimTokens(mongo.db);
  await Promise.all([workspaces.ensureIndexes(), tokens.ensureIndexes()]);

  const { kafka, publisher } = await connectKafka(
    'roster-ingress',
    config,
    log,
    ['scimCommands', 'commandResults', 'orgChanges', 'deadLetter'],
    { ackTimeoutMs: BACKEND_CALL_TIMEOUT_MS },
  );
  const bus = new CommandBus(publisher, config.deadlineMs);
  await bus.start(kafka, log, config.resultsGroupId);

  const app = await buildApp({
    bus,
    directory: new DirectoryReader(mongo.db, workspaces),
    organizations: new Organizations(mongo.db),
    workspaces,
    orgSettings: new OrganizationSettings(mongo.db),
    tokens,
    orgEvents: new OrgEvents(publisher),
    audit: new AuditTrailReader(mongo.db),
    seats: new LicenseSeatsReader(mongo.db),
    contentItems: new ContentItemsReader(mongo.db),
    contentServiceUrl: config.contentServiceUrl,
    adminToken: config.adminToken,
    logger: log,
    trustProxy: config.trustProxy,
    tenantShare: config.tenantShare,
  });
  const url = await app.listen({ host: config.host, port: config.port });
  log.info({ url }, 'ingress listening');
  return {
    url,
    crashed: bus.crashed,
    async stop() {
      await app.close();
      await bus.stop();
      await publisher.close();
      await mongo.close();
    },
  };
};
