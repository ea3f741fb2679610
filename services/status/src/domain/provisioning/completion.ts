import type { Step, StepOutcome } from '@roster/contracts';
import { ScimError } from '@roster/scim';

export type ReportedSteps = Partial<Record<Step, Pick<StepOutcome['data'], 'result' | 'reason'>>>;

/**
 * Whether a command whose SCIM response waits for `awaits` can be answered, and with what error
 * if a step said no: a rejection (e.g. no seat left) is a 409 the org admin can act on; a
 * failure is a 503 so the IdP retries later.
 */
export const commandCompletion = (
  awaits: readonly Step[],
  reported: ReportedSteps,
): { complete: false } | { complete: true; error?: ScimError } => {
  if (!awaits.every((step) => reported[step])) return { complete: false };
  for (const step of awaits) {
    const outcome = reported[step]!;
    const why = outcome.reason?.message ?? `${step} did not complete`;
    if (outcome.result === 'rejected') return { complete: true, error: new ScimError(409, why) };
    if (outcome.result === 'failed') return { complete: true, error: new ScimError(503, why) };
  }
  return { complete: true };
};
