import { setTimeout as sleep } from 'node:timers/promises';
import { ROSTER_USER } from '../src/org.ts';
import type { RetryingIdp } from './idp.ts';
import { type AcknowledgedUser, expectedState } from './plan.ts';
import { inPool } from './provision.ts';

export interface LifecycleEvent {
  id: string;
  type: string;
  subject: string;
  tenant: string;
  data: Record<string, any>;
}

export interface Checker {
  scim: RetryingIdp;
  admin: RetryingIdp;
  orgId: string;
  /** The oldest Organization Admin: every deprovisioned user's content goes to them. */
  oldestAdminId: string;
  /** The org's lifecycle events so far, deduplicated by id, in partition (= per-user) order. */
  lifecycle: () => LifecycleEvent[];
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
const sorted = (items: string[]) => [...items].sort();
const LIFECYCLE = 'roster.lifecycle.user.';

/** Reads every page of a user's audit trail (newest first). */
const auditTrail = async (checker: Checker, userId: string): Promise<any[]> => {
  const entries: any[] = [];
  let cursor: string | null = null;
  do {
    const page = await checker.admin.call(
      'GET',
      `/orgs/${checker.orgId}/audit?userId=${userId}&limit=100${cursor ? `&cursor=${cursor}` : ''}`,
    );
    if (page?.status !== 200) throw new Error(`audit of ${userId} answered ${page?.status}`);
    entries.push(...page.body.items);
    cursor = page.body.next;
  } while (cursor);
  return entries;
};

/** The workspaces the user's workspace.added / .removed events add up to. */
const workspacesFromEvents = (events: LifecycleEvent[]): string[] => {
  const now = new Set<string>();
  for (const event of events) {
    if (event.type.startsWith(`${LIFECYCLE}workspace.added`)) now.add(event.data.workspaceName);
    if (event.type.startsWith(`${LIFECYCLE}workspace.removed`)) now.delete(event.data.workspaceName);
  }
  return sorted([...now]);
};

/** Every invariant of one acknowledged user; each broken one is a line naming the user. */
export const violationsOf = async (checker: Checker, user: AcknowledgedUser): Promise<string[]> => {
  const id = user.id!;
  const found: string[] = [];
  const broken = (what: string, actual: unknown, expected: unknown) =>
    found.push(
      `${user.planned.userName} (${id}): ${what} is ${JSON.stringify(actual)}, expected ${JSON.stringify(expected)}`,
    );
  const expected = expectedState(user);

  // Every acknowledged SCIM write is reflected in what SCIM answers.
  const scim = await checker.scim.call('GET', `/Users/${id}`);
  if (scim?.status !== 200) return [`${user.planned.userName} (${id}): GET /Users answered ${scim?.status}`];
  if (scim.body.active !== user.active) broken('SCIM active', scim.body.active, user.active);
  if ((scim.body.userType ?? undefined) !== user.userType)
    broken('SCIM userType', scim.body.userType, user.userType);
  if ((scim.body.title ?? undefined) !== user.title) broken('SCIM title', scim.body.title, user.title);

  // The license its userType (or the default) gives, the role, the workspaces.
  const state = await checker.admin.call('GET', `/orgs/${checker.orgId}/users/${id}`);
  if (state?.status !== 200)
    return [...found, `${user.planned.userName} (${id}): admin state answered ${state?.status}`];
  if (state.body.license !== expected.license) broken('license', state.body.license, expected.license);
  if (state.body.role !== expected.role) broken('role', state.body.role, expected.role);
  if (!same(sorted(state.body.workspaces), expected.workspaces))
    broken('workspaces', sorted(state.body.workspaces), expected.workspaces);
  if (scim.body[ROSTER_USER]?.license !== state.body.license)
    broken('SCIM license', scim.body[ROSTER_USER]?.license, state.body.license);

  // A deprovisioned user owns nothing; the oldest admin holds it all in the folder named with the email.
  if (user.planned.deprovision && !user.active) {
    const email = user.planned.userName;
    const transfer = state.body.contentTransfer;
    if (transfer?.state !== 'done') broken('content transfer state', transfer?.state, 'done');
    else if (transfer.toUserId !== checker.oldestAdminId)
      broken('content transfer target', transfer.toUserId, checker.oldestAdminId);
    const owned = await checker.admin.call('GET', `/orgs/${checker.orgId}/content?ownerUserId=${id}`);
    if (owned?.body?.items?.length !== 0) broken('content still owned', owned?.body?.items?.length, 0);
    const moved = await checker.admin.call(
      'GET',
      `/orgs/${checker.orgId}/content?ownerUserId=${checker.oldestAdminId}&folder=${encodeURIComponent(email)}`,
    );
    const titles = new Set((moved?.body?.items ?? []).map((item: { title: string }) => item.title));
    const missing = user.content.filter((title) => !titles.has(title));
    if (missing.length > 0) broken('content missing from the admin’s folder', missing, []);
  }

  // The audit trail agrees with the state: the last accepted decision and the last licensing outcome.
  const audit = await auditTrail(checker, id);
  const decision = audit.find((e) => e.kind === 'command' && e.result === 'accepted');
  if (decision?.state?.active !== scim.body.active)
    broken('audit: last decision’s active', decision?.state?.active, scim.body.active);
  if (decision && scim.body.meta?.version !== `W/"${decision.state.version}"`) {
    broken('audit: last decision’s version', `W/"${decision.state.version}"`, scim.body.meta?.version);
  }
  const licensing = audit.find(
    (e) => e.kind === 'outcome' && e.what === 'licensing' && e.result === 'succeeded',
  );
  if ((licensing?.state?.license ?? null) !== state.body.license)
    broken('audit: last licensing outcome', licensing?.state?.license, state.body.license);

  // Each change's lifecycle event is present.
  const events = checker.lifecycle().filter((e) => e.subject === id);
  const ofType = (kind: string) => events.filter((e) => e.type.startsWith(`${LIFECYCLE}${kind}.`));
  if (ofType('provisioned').length !== 1) broken('provisioned events', ofType('provisioned').length, 1);
  const lastLicense = ofType('license.changed').at(-1)?.data.to ?? null;
  if (lastLicense !== expected.license) broken('last license.changed event', lastLicense, expected.license);
  const lastRole = ofType('role.changed').at(-1)?.data.to ?? 'member';
  if (lastRole !== expected.role) broken('last role.changed event', lastRole, expected.role);
  if (!same(workspacesFromEvents(events), expected.workspaces))
    broken('workspace events', workspacesFromEvents(events), expected.workspaces);
  if (user.planned.deprovision && !user.active) {
    if (ofType('deactivated').length !== 1) broken('deactivated events', ofType('deactivated').length, 1);
    const transferred = ofType('content.transferred').filter((e) => e.data.state === 'done');
    if (transferred.length !== 1) broken('content.transferred (done) events', transferred.length, 1);
  }
  if (user.title !== undefined && ofType('updated').length === 0) broken('updated events', 0, '≥ 1');
  return found;
};

/**
 * Waits for the stack to converge (the step consumers, transfers and lifecycle events lag the SCIM
 * answers, more so after kills): re-checks the users that still break an invariant until none do or
 * the deadline passes; what still breaks then is a violation.
 */
export const checkInvariants = async (
  checker: Checker,
  users: AcknowledgedUser[],
  deadlineMs: number,
): Promise<{ violations: string[]; checked: number; skipped: number }> => {
  const judged = users.filter((u) => u.id && u.unacknowledged.length === 0);
  const deadline = Date.now() + deadlineMs;
  let pending = judged;
  let violations: string[] = [];
  for (;;) {
    const failing: AcknowledgedUser[] = [];
    violations = [];
    await inPool(pending, 16, async (user) => {
      const found = await violationsOf(checker, user).catch((error: Error) => [
        `${user.planned.userName}: ${error.message}`,
      ]);
      if (found.length > 0) {
        failing.push(user);
        violations.push(...found);
      }
    });
    if (failing.length === 0 || Date.now() > deadline) break;
    pending = failing;
    await sleep(5_000);
  }
  return { violations, checked: judged.length, skipped: users.length - judged.length };
};
