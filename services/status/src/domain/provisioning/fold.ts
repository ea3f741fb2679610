import type { OrgRole, ProvisioningView, StepOutcome, StepStatus, TransferState } from '@roster/contracts';

/** A change of a user's provisioning that downstream services hear about as a lifecycle event. */
export type ProvisioningChange =
  | { kind: 'license'; from: ProvisioningView['license']; to: ProvisioningView['license'] }
  | { kind: 'role'; from: OrgRole; to: OrgRole }
  | { kind: 'workspaceAdded'; workspace: { id: string; name: string } }
  | { kind: 'workspaceRemoved'; workspace: { id: string; name: string } }
  | {
      kind: 'contentTransferred';
      state: TransferState;
      toUserId: string;
      folder: string;
      itemsMoved: number;
    };

export const EMPTY_PROVISIONING: ProvisioningView = {
  license: null,
  role: 'member',
  workspaces: [],
  contentTransfer: { state: 'none' },
  steps: {},
};

const byId = (list: { id: string; name: string }[]) => new Map(list.map((w) => [w.id, w]));

const workspaceChanges = (before: ProvisioningView, after: ProvisioningView): ProvisioningChange[] => {
  const old = byId(before.workspaces);
  const next = byId(after.workspaces);
  return [
    ...after.workspaces
      .filter((w) => !old.has(w.id))
      .map((workspace) => ({ kind: 'workspaceAdded' as const, workspace })),
    ...before.workspaces
      .filter((w) => !next.has(w.id))
      .map((workspace) => ({ kind: 'workspaceRemoved' as const, workspace })),
  ];
};

/** The state a step reports, merged into the view. Rejected or failed steps change nothing but their status. */
const withState = (view: ProvisioningView, outcome: StepOutcome['data']): ProvisioningView => {
  const state = outcome.state;
  if (!state) return view;
  switch (state.step) {
    case 'licensing':
      return { ...view, license: state.license, role: state.role };
    case 'membership':
      return { ...view, workspaces: state.workspaces };
    case 'content-transfer':
      return {
        ...view,
        contentTransfer: {
          state: state.state,
          ...(state.toUserId ? { toUserId: state.toUserId } : {}),
          ...(state.folder ? { folder: state.folder } : {}),
          itemsMoved: state.itemsMoved,
        },
      };
  }
};

/**
 * A report that must not override what the view already holds: one about an older change of the
 * user (a step re-reporting after a redelivery), or an interim transfer state arriving after that
 * same transfer was already reported done.
 */
const isStale = (view: ProvisioningView, last: StepStatus, outcome: StepOutcome['data']): boolean => {
  if (outcome.resource.type === 'User' && outcome.resource.sequence < last.sequence) return true;
  return (
    outcome.state?.step === 'content-transfer' &&
    outcome.state.state !== 'done' &&
    view.contentTransfer.state === 'done' &&
    last.commandId === outcome.commandId
  );
};

/**
 * evolve for provisioning: folds one step outcome into the user's view and names the real
 * changes it made (a redelivered outcome folds to the same view and names none).
 */
export const foldOutcome = (
  current: ProvisioningView | undefined,
  outcome: StepOutcome['data'],
  at: string,
): { view: ProvisioningView; changes: ProvisioningChange[] } => {
  const before = current ?? EMPTY_PROVISIONING;
  const last = before.steps[outcome.step];
  if (last && isStale(before, last, outcome)) return { view: before, changes: [] };
  const after: ProvisioningView = {
    ...withState(before, outcome),
    steps: {
      ...before.steps,
      [outcome.step]: {
        state: outcome.result,
        ...(outcome.reason ? { detail: outcome.reason.message } : {}),
        updated: at,
        commandId: outcome.commandId,
        sequence: outcome.resource.sequence,
      },
    },
  };
  const changes: ProvisioningChange[] = [];
  if (before.license !== after.license)
    changes.push({ kind: 'license', from: before.license, to: after.license });
  if (before.role !== after.role) changes.push({ kind: 'role', from: before.role, to: after.role });
  changes.push(...workspaceChanges(before, after));
  const transfer = after.contentTransfer;
  // A transfer for a new deactivation (another command) is a new event even if the last one was done too.
  const newlyDone =
    outcome.step === 'content-transfer' &&
    transfer.state === 'done' &&
    (before.contentTransfer.state !== 'done' ||
      before.steps['content-transfer']?.commandId !== outcome.commandId);
  if (newlyDone && transfer.toUserId && transfer.folder) {
    changes.push({
      kind: 'contentTransferred',
      state: transfer.state,
      toUserId: transfer.toUserId,
      folder: transfer.folder,
      itemsMoved: transfer.itemsMoved ?? 0,
    });
  }
  return { view: after, changes };
};
