import {
  byMessageTypeInBatches,
  type Logger,
  OrganizationSettings,
  type RunningConsumerService,
  startConsumerService,
  systemClock,
} from '@roster/service-kit';
import type { LicensingConfig } from './config.ts';
import { type HandlerDeps, handleUserChanges } from './handlers/user-changed.ts';
import { LicensingStore } from './store/licenses.ts';

export const LICENSING_GROUP_ID = 'roster-licensing';

export type RunningLicensing = RunningConsumerService;

/**
 * Starts the licensing consumer: user changes → licenses and seats → step outcomes. Group changes
 * are not licensing's business: they are acknowledged and nothing else.
 */
export const startLicensing = async (config: LicensingConfig, log: Logger): Promise<RunningLicensing> => {
  const service = await startConsumerService({
    clientId: 'roster-licensing',
    config,
    log,
    topics: ['directoryChanges', 'stepOutcomes', 'deadLetter'],
    stores: (mongo) => ({ licenses: new LicensingStore(mongo.client, mongo.db) }),
    consumers: ({ stores, mongo, publisher }) => {
      const deps: HandlerDeps = {
        store: stores.licenses,
        organizations: new OrganizationSettings(mongo.db),
        publisher,
        log,
        clock: systemClock,
      };
      return [
        {
          groupId: LICENSING_GROUP_ID,
          topic: 'directoryChanges',
          ...byMessageTypeInBatches<'directoryChanges'>({
            'roster.directory.user.changed.v1': (changes) => handleUserChanges(deps, changes),
          }),
        },
      ];
    },
  });
  log.info('licensing service running');
  return service;
};
