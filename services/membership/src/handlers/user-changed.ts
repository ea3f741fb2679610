import type { UserChanged } from '@roster/contracts';
import { directoryCause, userOutcome } from '../messages/step-outcomes.ts';
import { type HandlerDeps, publishOutcomes } from './deps.ts';

/**
 * A user changed: record the snapshot (guarded by its sequence, with the rev bump, in one atomic
 * update), converge the user, report its workspaces. A redelivered or stale change updates
 * nothing, converges (a no-op when converged) and re-publishes the outcome from stored state.
 */
export const handleUserChanged = async (deps: HandlerDeps, change: UserChanged): Promise<void> => {
  const { tenant } = change;
  const { user, sequence } = change.data;
  await deps.store.recordUser(tenant, user, sequence);
  const converged = await deps.store.converge(tenant, [user.id]);
  await publishOutcomes(deps, [
    userOutcome(directoryCause(change), user.id, sequence, converged.get(user.id)?.memberships ?? []),
  ]);
};
