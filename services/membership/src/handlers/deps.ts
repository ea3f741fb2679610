import type { StepOutcome } from '@roster/contracts';
import type { Logger, Publisher } from '@roster/service-kit';
import type { MembershipStore } from '../store/membership.ts';

/** What every membership handler works with. */
export interface HandlerDeps {
  store: MembershipStore;
  publisher: Publisher;
  log: Logger;
}

const PUBLISH_BATCH = 500;

/** Publishes a handler's outcomes in batches (a large group answers for every member it moved). */
export const publishOutcomes = async (deps: HandlerDeps, outcomes: StepOutcome[]): Promise<void> => {
  for (let i = 0; i < outcomes.length; i += PUBLISH_BATCH)
    await deps.publisher.publish('stepOutcomes', outcomes.slice(i, i + PUBLISH_BATCH));
};
