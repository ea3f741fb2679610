import {
  type EventAttributes,
  envelope,
  type LifecycleEvent,
  type StepOutcome,
  type UserDocument,
} from '@roster/contracts';
import { causedBy } from '@roster/service-kit';
import type { ProvisioningChange } from '../domain/provisioning/fold.ts';

/** One lifecycle event per provisioning change, caused by the outcome that made it. */
export const lifecycleEvents = (
  outcome: StepOutcome,
  user: UserDocument,
  changes: ProvisioningChange[],
): LifecycleEvent[] => {
  const attributes = causedBy(outcome, '/roster/status', user._id);
  const ref = { userId: user._id, userName: user.resource.userName };
  return changes.map((change) => eventFor(change, attributes, ref));
};

const eventFor = (
  change: ProvisioningChange,
  attributes: EventAttributes,
  ref: { userId: string; userName: string },
): LifecycleEvent => {
  switch (change.kind) {
    case 'license':
      return envelope('roster.lifecycle.user.license.changed.v1', attributes, {
        ...ref,
        from: change.from,
        to: change.to,
      });
    case 'role':
      return envelope('roster.lifecycle.user.role.changed.v1', attributes, {
        ...ref,
        from: change.from,
        to: change.to,
      });
    case 'workspaceAdded':
      return envelope('roster.lifecycle.user.workspace.added.v1', attributes, {
        ...ref,
        workspaceId: change.workspace.id,
        workspaceName: change.workspace.name,
      });
    case 'workspaceRemoved':
      return envelope('roster.lifecycle.user.workspace.removed.v1', attributes, {
        ...ref,
        workspaceId: change.workspace.id,
        workspaceName: change.workspace.name,
      });
    case 'contentTransferred':
      return envelope('roster.lifecycle.user.content.transferred.v1', attributes, {
        ...ref,
        state: change.state,
        toUserId: change.toUserId,
        folder: change.folder,
        itemsMoved: change.itemsMoved,
      });
  }
};
