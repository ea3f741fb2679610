import { connectKafka, connectMongo, type Logger, OrganizationSettings } from '@roster/service-kit';
import { buildApp } from './app.ts';
import type { IngressConfig } from './config.ts';
import { CommandBus } from './pipeline/command-bus.ts';
import { DirectoryReader } from './read/directory.ts';
import { OrgEvents } from './tenancy/org-events.ts';
import { Organizations } from './tenancy/organizations.ts';
import { ScimTokens } from './tenancy/tokens.ts';

export interface RunningIngress {
  url: string;
  stop(): Promise<void>;
}

/** Starts the ingress: joins the results topic first, then listens for SCIM and admin calls. */
export const startIngress = async (config: IngressConfig, log: Logger): Promise<RunningIngress> => {
  const mongo = await connectMongo(config.mongoUrl, config.mongoDatabase);
  const organizations = new Organizations(mongo.db);
  const tokens = new ScimTokens(mongo.db);
  await Promise.all([organizations.ensureIndexes(), tokens.ensureIndexes()]);

  const { kafka, publisher } = await connectKafka('roster-ingress', config, log, [
    'scimCommands',
    'commandResults',
    'orgChanges',
    'deadLetter',
  ]);
  const bus = new CommandBus(publisher, config.deadlineMs);
  await bus.start(kafka, log);

  const app = await buildApp({
    bus,
    directory: new DirectoryReader(mongo.db),
    organizations,
    orgSettings: new OrganizationSettings(mongo.db),
    tokens,
    orgEvents: new OrgEvents(publisher),
    db: mongo.db,
    contentServiceUrl: config.contentServiceUrl,
    adminToken: config.adminToken,
    logger: log,
    trustProxy: config.trustProxy,
  });
  const url = await app.listen({ host: config.host, port: config.port });
  log.info({ url }, 'ingress listening');
  return {
    url,
    async stop() {
      await app.close();
      await bus.stop();
      await publisher.close();
      await mongo.close();
    },
  };
};
