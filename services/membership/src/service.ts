import type { GroupChanged } from '@roster/contracts';
import {
  byMessageType,
  byMessageTypeInBatches,
  type Logger,
  type RunningConsumerService,
  startConsumerService,
} from '@roster/service-kit';
import type { MembershipConfig } from './config.ts';
import { groupChangedFromV1 } from './domain/group-change.ts';
import type { HandlerDeps } from './handlers/deps.ts';
import { handleGroupChanged } from './handlers/group-changed.ts';
import { handleSettingsChanged, handleWorkspaceChanged } from './handlers/org-changed.ts';
import { handleUserChanges } from './handlers/user-changed.ts';
import { MembershipStore } from './store/membership.ts';

/** Consumer group of the directory changes (user and group changes). */
export const MEMBERSHIP_GROUP_ID = 'roster-membership';
/**
 * Consumer group of the org changes. A separate group: kafkajs assigns every subscribed topic of
 * a group across all its members, so two consumers with different topics cannot share one group.
 */
export const MEMBERSHIP_ORG_GROUP_ID = 'roster-membership-org';

export type RunningMembership = RunningConsumerService;

/** Starts the membership step: converges workspace membership from directory and org changes. */
export const startMembership = async (config: MembershipConfig, log: Logger): Promise<RunningMembership> => {
  const service = await startConsumerService({
    clientId: 'roster-membership',
    config,
    log,
    topics: ['directoryChanges', 'orgChanges', 'stepOutcomes', 'deadLetter'],
    stores: (mongo) => ({ membership: new MembershipStore(mongo.db) }),
    consumers: ({ stores, publisher }) => {
      const deps: HandlerDeps = { store: stores.membership, publisher, log };
      // A group change converges every member it moves: each is a batch of its own.
      const eachGroupChange = async (changes: GroupChanged[]) => {
        for (const change of changes) await handleGroupChanged(deps, change);
      };
      return [
        {
          groupId: MEMBERSHIP_GROUP_ID,
          topic: 'directoryChanges',
          ...byMessageTypeInBatches<'directoryChanges'>({
            'roster.directory.user.changed.v1': (changes) => handleUserChanges(deps, changes),
            'roster.directory.group.changed.v2': eachGroupChange,
            // published before the upgrade (a partition holds them before any v2): replacements
            'roster.directory.group.changed.v1': (changes) =>
              eachGroupChange(changes.map(groupChangedFromV1)),
          }),
        },
        {
          groupId: MEMBERSHIP_ORG_GROUP_ID,
          topic: 'orgChanges',
          handle: byMessageType({
            'roster.org.workspace.changed.v1': (change) => handleWorkspaceChanged(deps, change),
            'roster.org.settings.changed.v1': (change) => handleSettingsChanged(deps, change),
          }),
        },
      ];
    },
  });
  log.info('membership service running');
  return service;
};
