import type { OrganizationSettingsChanged, WorkspaceChanged } from '@roster/contracts';
import { orgCause, userOutcomes } from '../messages/step-outcomes.ts';
import { type HandlerDeps, publishOutcomes } from './deps.ts';

/**
 * An org change (workspace created/renamed, settings changed) re-evaluates the users it may move.
 * The admin API wrote the change before publishing it, so the stored state is already current;
 * the event id dedupes: the first delivery records candidates and affected users, a redelivery
 * re-converges them and re-publishes the same outcomes.
 */
const handleOrgChange = async (
  deps: HandlerDeps,
  change: WorkspaceChanged | OrganizationSettingsChanged,
  candidatesOf: () => Promise<string[]>,
): Promise<void> => {
  const { tenant } = change;
  const cause = orgCause(change);
  const recorded = await deps.store.orgEvent(tenant, change.id);
  if (recorded) {
    await deps.store.bump(tenant, recorded.candidates);
    const converged = await deps.store.converge(tenant, recorded.candidates);
    await publishOutcomes(deps, userOutcomes(cause, recorded.affected, converged));
    return;
  }
  const candidates = [...new Set(await candidatesOf())];
  const affected = await deps.store.affected(tenant, candidates);
  if (!(await deps.store.recordOrgEvent(tenant, change, candidates, affected)))
    return handleOrgChange(deps, change, candidatesOf);
  await deps.store.bump(tenant, candidates);
  const converged = await deps.store.converge(tenant, candidates);
  deps.log.debug({ tenant, type: change.type, affected: affected.length }, 'org change converged');
  await publishOutcomes(deps, userOutcomes(cause, affected, converged));
};

/**
 * A workspace created or renamed may link groups named like it (new name), unlink groups named
 * like its old name (its current members), rename memberships, and, for the default workspace,
 * move every user's default membership.
 */
export const handleWorkspaceChanged = (deps: HandlerDeps, change: WorkspaceChanged): Promise<void> =>
  handleOrgChange(deps, change, async () => {
    const { tenant } = change;
    const { workspace, previousName } = change.data;
    const names = previousName === undefined ? [workspace.name] : [workspace.name, previousName];
    const [current, grouped, everyone] = await Promise.all([
      deps.store.membersOfWorkspace(tenant, workspace.id),
      deps.store.membersOfGroupsNamed(tenant, names),
      workspace.isDefault ? deps.store.knownUsers(tenant) : Promise.resolve([]),
    ]);
    return [...current, ...grouped, ...everyone];
  });

/** Auto-capture or the listed domains changed: every user's default membership is re-evaluated. */
export const handleSettingsChanged = (
  deps: HandlerDeps,
  change: OrganizationSettingsChanged,
): Promise<void> => handleOrgChange(deps, change, () => deps.store.knownUsers(change.tenant));
