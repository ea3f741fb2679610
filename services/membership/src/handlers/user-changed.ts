import type { UserChanged } from '@roster/contracts';
import { directoryCause, userOutcome } from '../messages/step-outcomes.ts';
import { type HandlerDeps, publishOutcomes } from './deps.ts';

/** Changes grouped by organization, each group in its original order. */
const byTenant = (changes: UserChanged[]): Map<string, UserChanged[]> => {
  const groups = new Map<string, UserChanged[]>();
  for (const change of changes) {
    const ofTenant = groups.get(change.tenant);
    if (ofTenant) ofTenant.push(change);
    else groups.set(change.tenant, [change]);
  }
  return groups;
};

/**
 * Users changed (one change, or a fetched batch, each partition's in order): record the snapshots
 * (each guarded by its sequence, with the rev bump, in one atomic update), converge the users,
 * report their workspaces. A redelivered or stale change updates nothing, converges (a no-op when
 * converged) and re-publishes the outcome from stored state. A user changed twice in one batch is
 * converged once, to where the last change leads, and both changes report that.
 */
export const handleUserChanges = async (deps: HandlerDeps, changes: UserChanged[]): Promise<void> => {
  const outcomes = [];
  for (const [tenant, ofTenant] of byTenant(changes)) {
    await deps.store.recordUsers(
      tenant,
      ofTenant.map(({ data: { user, sequence } }) => ({ user, sequence })),
    );
    const converged = await deps.store.converge(
      tenant,
      ofTenant.map((c) => c.data.user.id),
    );
    for (const change of ofTenant) {
      const { user, sequence } = change.data;
      outcomes.push(
        userOutcome(directoryCause(change), user.id, sequence, converged.get(user.id)?.memberships ?? []),
      );
    }
  }
  await publishOutcomes(deps, outcomes);
};
