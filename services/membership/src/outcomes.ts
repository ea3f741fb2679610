import { envelope, type StepOutcome } from '@roster/contracts';
import { childTraceparent } from '@roster/service-kit';
import { type WorkspaceView, workspaceViews } from './domain/desired.ts';

export const SOURCE = '/roster/membership';

/** What every outcome caused by one input message shares. */
export interface Cause {
  tenant: string;
  commandId: string;
  correlationid: string;
  /** the id of the message that caused the outcome */
  causationid: string;
  traceparent: string | undefined;
}

const attributes = (cause: Cause, subject: string) => ({
  source: SOURCE,
  tenant: cause.tenant,
  subject,
  correlationid: cause.correlationid,
  causationid: cause.causationid,
  traceparent: childTraceparent(cause.traceparent),
});

export const userOutcome = (
  cause: Cause,
  userId: string,
  sequence: number,
  memberships: readonly { workspaceId: string; workspaceName: string }[],
): StepOutcome => {
  const workspaces: WorkspaceView[] = workspaceViews(memberships);
  return envelope('roster.outcome.step.v1', attributes(cause, userId), {
    commandId: cause.commandId,
    step: 'membership',
    resource: { type: 'User', id: userId, sequence },
    result: 'succeeded',
    state: { step: 'membership', workspaces },
  });
};

export const groupOutcome = (cause: Cause, groupId: string, sequence: number): StepOutcome =>
  envelope('roster.outcome.step.v1', attributes(cause, groupId), {
    commandId: cause.commandId,
    step: 'membership',
    resource: { type: 'Group', id: groupId, sequence },
    result: 'succeeded',
  });
