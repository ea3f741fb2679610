import {
  connectKafka,
  connectMongo,
  type Logger,
  OrganizationSettings,
  type RunningConsumer,
  runConsumer,
} from '@roster/service-kit';
import { AuditTrail } from './audit/audit-trail.ts';
import { processCommand } from './commands/process.ts';
import type { StatusConfig } from './config.ts';
import { GroupsDirectory } from './directory/groups.ts';
import { UsersDirectory } from './directory/users.ts';
import { CommandLedger } from './ledger/ledger.ts';
import { lifecycleOutbox, processOutcome } from './outcomes/process.ts';

export const STATUS_GROUP_ID = 'roster-status';
/** Outcomes are folded by a group of their own, so a slow fold never delays deciding commands. */
export const STATUS_OUTCOMES_GROUP_ID = 'roster-status-outcomes';

export interface RunningStatus {
  stop(): Promise<void>;
}

/**
 * Starts the status service: decides SCIM commands against the directory, folds the step
 * outcomes, answers the waiting SCIM calls and publishes lifecycle events.
 */
export const startStatus = async (config: StatusConfig, log: Logger): Promise<RunningStatus> => {
  const mongo = await connectMongo(config.mongoUrl, config.mongoDatabase);
  const users = new UsersDirectory(mongo.db);
  const groups = new GroupsDirectory(mongo.db);
  const ledger = new CommandLedger(mongo.db);
  const audit = new AuditTrail(mongo.db);
  await Promise.all([
    users.ensureIndexes(),
    groups.ensureIndexes(),
    ledger.ensureIndexes(),
    audit.ensureIndexes(),
  ]);

  const { kafka, publisher } = await connectKafka('roster-status', config, log, [
    'scimCommands',
    'directoryChanges',
    'stepOutcomes',
    'commandResults',
    'lifecycle',
    'deadLetter',
  ]);
  const deps = {
    users,
    groups,
    ledger,
    audit,
    publisher,
    outbox: lifecycleOutbox(mongo.db),
    organizations: new OrganizationSettings(mongo.db),
    awaits: config.awaits,
    now: () => new Date().toISOString(),
  };
  const consumers: RunningConsumer[] = [
    await runConsumer({
      kafka,
      log,
      groupId: STATUS_GROUP_ID,
      topic: 'scimCommands',
      handle: (command) => processCommand(deps, command),
    }),
    await runConsumer({
      kafka,
      log,
      groupId: STATUS_OUTCOMES_GROUP_ID,
      topic: 'stepOutcomes',
      handle: (outcome) => processOutcome(deps, outcome),
    }),
  ];
  await Promise.all(consumers.map((c) => c.ready));
  log.info({ awaits: config.awaits }, 'status service running');
  return {
    async stop() {
      await Promise.all(consumers.map((c) => c.stop()));
      await publisher.close();
      await mongo.close();
    },
  };
};
