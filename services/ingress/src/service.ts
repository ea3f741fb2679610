import {
  brokerReachable,
  connectKafka,
  connectMongo,
  consumerAssigned,
  createPublisher,
  type Logger,
  OrganizationSettings,
  type ReadinessCheck,
  storeReachable,
} from '@roster/service-kit';
import { buildApp } from './app.ts';
import { CommandLag } from './backpressure/command-lag.ts';
import type { IngressConfig } from './config.ts';
import { AdminChanges } from './pipeline/admin-changes.ts';
import { CommandBus } from './pipeline/command-bus.ts';
import { OrgChangeRelay } from './pipeline/org-change-relay.ts';
import { AuditTrailReader } from './store/audit-trail.ts';
import { ContentItemsReader } from './store/content-items.ts';
import { DirectoryReader } from './store/directory.ts';
import { LicenseSeatsReader } from './store/license-seats.ts';
import { OrgChangeOutbox } from './store/org-change-outbox.ts';
import { Organizations } from './store/organizations.ts';
import { RelayLeases } from './store/relay-leases.ts';
import { ScimTokens } from './store/scim-tokens.ts';
import { Transactions } from './store/transactions.ts';
import { Workspaces } from './store/workspaces.ts';

export interface RunningIngress {
  url: string;
  /** Rejects if the results consumer crashed for good (the process ends and is restarted). */
  crashed: Promise<never>;
  /** Ready while the broker and the store answer and the results consumer holds its partitions. */
  readiness: ReadinessCheck[];
  stop(): Promise<void>;
}

/**
 * How long one call of the ingress to the store (a token check, a read) or to the broker (a
 * publish) may take: a frozen or unreachable server is answered 503 + Retry-After after this,
 * well within an IdP's patience, whatever the SCIM deadline.
 */
const BACKEND_CALL_TIMEOUT_MS = 5_000;

/**
 * How long an admin change waits for its announcement to be published before answering: the
 * usual publish takes milliseconds; past this the change is committed and announced later.
 */
const ANNOUNCE_WAIT_MS = 2_000;

const RELAY_TIMING = { sweepIntervalMs: 5_000, leaseMs: 30_000, stopWaitMs: BACKEND_CALL_TIMEOUT_MS };

/** Starts the ingress: joins the results topic first, then listens for SCIM and admin calls. */
export const startIngress = async (config: IngressConfig, log: Logger): Promise<RunningIngress> => {
  const mongo = await connectMongo(config.mongoUrl, config.mongoDatabase, {
    operationTimeoutMs: BACKEND_CALL_TIMEOUT_MS,
  });
  const workspaces = new Workspaces(mongo.db);
  const tokens = new ScimTokens(mongo.db);
  const outbox = new OrgChangeOutbox(mongo.db, config.orgOutboxRetention);
  await Promise.all([workspaces.ensureIndexes(), tokens.ensureIndexes(), outbox.ensureIndexes()]);

  const { kafka, publisher } = await connectKafka(
    'roster-ingress',
    config,
    log,
    ['scimCommands', 'commandResults', 'orgChanges', 'deadLetter'],
    { ackTimeoutMs: BACKEND_CALL_TIMEOUT_MS },
  );
  const bus = new CommandBus(publisher, config.deadlineMs);
  await bus.start(kafka, log, config.resultsGroupId);
  const commandLag = new CommandLag(kafka, log);
  await commandLag.start();
  // Its own producer, without an acknowledgement timeout: a pass waits out a broker outage
  // instead of giving up and publishing the same entries again while the first send still retries.
  const relayPublisher = await createPublisher(kafka);
  const relay = new OrgChangeRelay({
    outbox,
    leases: new RelayLeases(mongo.db),
    publisher: relayPublisher,
    log,
    timing: RELAY_TIMING,
  });
  relay.start();

  const app = await buildApp({
    bus,
    directory: new DirectoryReader(mongo.db, workspaces),
    organizations: new Organizations(mongo.db),
    workspaces,
    orgSettings: new OrganizationSettings(mongo.db),
    tokens,
    adminChanges: new AdminChanges({
      transactions: new Transactions(mongo.client, BACKEND_CALL_TIMEOUT_MS),
      outbox,
      relay,
      announceWaitMs: ANNOUNCE_WAIT_MS,
    }),
    audit: new AuditTrailReader(mongo.db),
    seats: new LicenseSeatsReader(mongo.db),
    contentItems: new ContentItemsReader(mongo.db),
    contentServiceUrl: config.contentServiceUrl,
    adminToken: config.adminToken,
    logger: log,
    trustProxy: config.trustProxy,
    tenantShare: config.tenantShare,
    backpressure: { limits: config.backpressure, commandLag, results: bus.resultRate },
  });
  const url = await app.listen({ host: config.host, port: config.port });
  log.info({ url }, 'ingress listening');
  return {
    url,
    crashed: bus.crashed,
    readiness: [brokerReachable(kafka), storeReachable(mongo), consumerAssigned(bus.resultsConsumer)],
    async stop() {
      await app.close();
      await relay.stop();
      await commandLag.stop();
      await bus.stop();
      await Promise.all([publisher.close(), relayPublisher.close()]);
      await mongo.close();
    },
  };
};
