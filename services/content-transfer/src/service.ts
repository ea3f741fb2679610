import {
  byMessageTypeInBatches,
  type Logger,
  type RunningConsumerService,
  startConsumerService,
  systemClock,
} from '@roster/service-kit';
import type { ContentTransferConfig } from './config.ts';
import { type HandlerDeps, handleUserChanges } from './handlers/user-changed.ts';
import { startSeedingEndpoint } from './http.ts';
import { ContentStore } from './store/content.ts';

export const CONTENT_TRANSFER_GROUP_ID = 'roster-content-transfer';

export interface RunningContentTransfer extends Omit<RunningConsumerService, 'resources'> {
  /** the development seeding endpoint's base URL (only with ROSTER_DEV_MODE=true) */
  url: string | undefined;
}

/**
 * Starts the content-transfer consumer (and, in development mode, its seeding endpoint). Only user
 * changes are its business: group changes are acknowledged without an outcome.
 */
export const startContentTransfer = async (
  config: ContentTransferConfig,
  log: Logger,
): Promise<RunningContentTransfer> => {
  const service = await startConsumerService({
    clientId: 'roster-content-transfer',
    config,
    log,
    topics: ['directoryChanges', 'stepOutcomes', 'deadLetter'],
    stores: (mongo) => ({ content: new ContentStore(mongo.db) }),
    resources: async ({ stores }) => ({
      seeding: config.seeding ? await startSeedingEndpoint(stores.content, config.seeding) : undefined,
    }),
    consumers: ({ stores, publisher, stopping }) => {
      const deps: HandlerDeps = {
        store: stores.content,
        publisher,
        log,
        clock: systemClock,
        batchSize: config.batchSize,
        batchDelayMs: config.batchDelayMs,
        leaseMs: config.leaseMs,
        isStopping: () => stopping.aborted,
      };
      return [
        {
          groupId: CONTENT_TRANSFER_GROUP_ID,
          topic: 'directoryChanges',
          ...byMessageTypeInBatches<'directoryChanges'>({
            'roster.directory.user.changed.v1': (changes, { heartbeat }) =>
              handleUserChanges(deps, changes, heartbeat),
          }),
        },
      ];
    },
  });
  const url = service.resources.seeding?.url;
  log.info({ batchSize: config.batchSize, seedingUrl: url }, 'content-transfer service running');
  return {
    url,
    ready: service.ready,
    crashed: service.crashed,
    readiness: service.readiness,
    stop: () => service.stop(),
  };
};
