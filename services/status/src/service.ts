import {
  type Logger,
  OrganizationSettings,
  type RunningConsumerService,
  startConsumerService,
  systemClock,
} from '@roster/service-kit';
import { retentionWarnings, type StatusConfig } from './config.ts';
import { answerPoisonedCommand, answerPoisonedOutcome } from './handlers/poisoned.ts';
import { handleScimCommands } from './handlers/scim-command.ts';
import { handleStepOutcomes } from './handlers/step-outcome.ts';
import { AuditTrail } from './store/audit-trail.ts';
import { DecisionCommits } from './store/decision-commit.ts';
import { GroupsDirectory } from './store/groups.ts';
import { CommandLedger } from './store/ledger.ts';
import { LifecycleOutbox } from './store/lifecycle-outbox.ts';
import { UsersDirectory } from './store/users.ts';

export const STATUS_GROUP_ID = 'roster-status';
/** Outcomes are folded by a group of their own, so a slow fold never delays deciding commands. */
export const STATUS_OUTCOMES_GROUP_ID = 'roster-status-outcomes';

export type RunningStatus = RunningConsumerService;

/**
 * Starts the status service: decides SCIM commands against the directory, folds the step
 * outcomes, answers the waiting SCIM calls and publishes lifecycle events. Resolves once both
 * consumers joined their groups.
 */
export const startStatus = async (config: StatusConfig, log: Logger): Promise<RunningStatus> => {
  const service = await startConsumerService({
    clientId: 'roster-status',
    config,
    log,
    topics: ['scimCommands', 'directoryChanges', 'stepOutcomes', 'commandResults', 'lifecycle', 'deadLetter'],
    stores: ({ db }) => ({
      users: new UsersDirectory(db),
      groups: new GroupsDirectory(db, log),
      ledger: new CommandLedger(db, config.retention.ledger),
      audit: new AuditTrail(db, config.retention.audit),
      outbox: new LifecycleOutbox(db, config.retention.lifecycleOutbox),
    }),
    consumers: ({ stores, mongo, publisher }) => {
      const deps = {
        ...stores,
        commits: new DecisionCommits(mongo.client, stores),
        publisher,
        organizations: new OrganizationSettings(mongo.db),
        awaits: config.awaits,
        clock: systemClock,
      };
      return [
        {
          groupId: STATUS_GROUP_ID,
          topic: 'scimCommands',
          handle: (command) => handleScimCommands(deps, [command]),
          handleBatch: (commands) => handleScimCommands(deps, commands),
          onPoison: (command, error) => answerPoisonedCommand(deps, command, error),
        },
        {
          groupId: STATUS_OUTCOMES_GROUP_ID,
          topic: 'stepOutcomes',
          handle: (outcome) => handleStepOutcomes(deps, [outcome]),
          handleBatch: (outcomes) => handleStepOutcomes(deps, outcomes),
          onPoison: (outcome) => answerPoisonedOutcome(deps, outcome),
        },
      ];
    },
  });
  await service.ready;
  for (const warning of retentionWarnings(config.retention)) log.warn(warning);
  log.info({ awaits: config.awaits, retentionSeconds: config.retention }, 'status service running');
  return service;
};
