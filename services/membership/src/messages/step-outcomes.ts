import type {
  GroupChanged,
  OrganizationSettingsChanged,
  StepOutcome,
  UserChanged,
  WorkspaceChanged,
} from '@roster/contracts';
import { type Cause, stepOutcome } from '@roster/service-kit';
import { type WorkspaceView, workspaceViews } from '../domain/desired.ts';
import type { ConvergedUser } from '../store/membership.ts';

const SOURCE = '/roster/membership';

/** The input message every outcome of one handler answers, and the command they report to. */
export interface OutcomeCause extends Cause {
  commandId: string;
}

export const directoryCause = (change: UserChanged | GroupChanged): OutcomeCause => ({
  id: change.id,
  tenant: change.tenant,
  correlationid: change.correlationid,
  traceparent: change.traceparent,
  commandId: change.data.commandId,
});

/** Org changes come from no command: the change's own id is the command id and correlation id. */
export const orgCause = (change: WorkspaceChanged | OrganizationSettingsChanged): OutcomeCause => ({
  id: change.id,
  tenant: change.tenant,
  correlationid: change.id,
  traceparent: change.traceparent,
  commandId: change.id,
});

export const userOutcome = (
  cause: OutcomeCause,
  userId: string,
  sequence: number,
  memberships: readonly { workspaceId: string; workspaceName: string }[],
): StepOutcome => {
  const workspaces: WorkspaceView[] = workspaceViews(memberships);
  return stepOutcome(SOURCE, cause, {
    commandId: cause.commandId,
    step: 'membership',
    resource: { type: 'User', id: userId, sequence },
    result: 'succeeded',
    state: { step: 'membership', workspaces },
  });
};

export const groupOutcome = (cause: OutcomeCause, groupId: string, sequence: number): StepOutcome =>
  stepOutcome(SOURCE, cause, {
    commandId: cause.commandId,
    step: 'membership',
    resource: { type: 'Group', id: groupId, sequence },
    result: 'succeeded',
  });

/** One outcome per affected user the directory knows, from the converged (stored) state. */
export const userOutcomes = (
  cause: OutcomeCause,
  affected: readonly string[],
  converged: Map<string, ConvergedUser>,
): StepOutcome[] =>
  affected.flatMap((userId) => {
    const entry = converged.get(userId);
    const sequence = entry?.user?.sequence ?? 0;
    return entry && sequence > 0 ? [userOutcome(cause, userId, sequence, entry.memberships)] : [];
  });
