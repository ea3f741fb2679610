import { GROUP_SCHEMA, newUser, PATCH_OP } from '../src/fixtures.ts';
import type { RetryingIdp } from './idp.ts';
import { type AcknowledgedUser, GROUPS, newAcknowledged, type PlannedUser, planUser } from './plan.ts';

const ADMIN_ROLE = { type: 'synthesia_role', value: 'organization-admin' };
const MEMBERS_PER_PATCH = 100;

/** Runs `task` over `items` with `concurrency` tasks in flight. */
export const inPool = async <T>(
  items: readonly T[],
  concurrency: number,
  task: (item: T) => Promise<void>,
) => {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await task(items[next++]!);
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
};

const ok = (status: number | undefined) => status !== undefined && status >= 200 && status < 300;

const patchOf = (Operations: unknown[]) => ({ schemas: [PATCH_OP], Operations });

// Okta replaces with a value object and lower-case ops; Entra names the path and sends "False".
const deactivation = (dialect: PlannedUser['dialect']) =>
  dialect === 'okta'
    ? patchOf([{ op: 'replace', value: { active: false } }])
    : patchOf([{ op: 'Replace', path: 'active', value: 'False' }]);

const update = (dialect: PlannedUser['dialect'], change: NonNullable<PlannedUser['update']>) =>
  dialect === 'okta'
    ? patchOf([
        {
          op: 'replace',
          value: { title: change.title, ...(change.userType ? { userType: change.userType } : {}) },
        },
      ])
    : patchOf([
        { op: 'Replace', path: 'title', value: change.title },
        ...(change.userType ? [{ op: 'Replace', path: 'userType', value: change.userType }] : []),
      ]);

export interface Provisioning {
  scim: RetryingIdp;
  admin: RetryingIdp;
  orgId: string;
  concurrency: number;
  log: (line: string) => void;
}

/** One user's life at the IdP: created, maybe updated, content made, maybe deprovisioned. */
const provisionUser = async ({ scim, admin, orgId }: Provisioning, user: AcknowledgedUser) => {
  const { planned } = user;
  const created = await scim.call(
    'POST',
    '/Users',
    newUser(planned.userName, {
      ...(planned.userType ? { userType: planned.userType } : {}),
      ...(planned.admin ? { roles: [ADMIN_ROLE] } : {}),
    }),
  );
  if (created?.status !== 201) {
    user.unacknowledged.push(
      `create answered ${created?.status ?? 'nothing'}: ${created?.body?.detail ?? ''}`,
    );
    return;
  }
  Object.assign(user, { id: created.body.id, userType: planned.userType, active: true });
  if (planned.update) {
    const updated = await scim.call('PATCH', `/Users/${user.id}`, update(planned.dialect, planned.update));
    if (ok(updated?.status))
      Object.assign(user, {
        title: planned.update.title,
        userType: planned.update.userType ?? user.userType,
      });
    else user.unacknowledged.push(`update answered ${updated?.status ?? 'nothing'}`);
  }
  for (const title of planned.content) {
    const seeded = await admin.call('POST', `/orgs/${orgId}/content`, { ownerUserId: user.id, title });
    if (ok(seeded?.status)) user.content.push(title);
    else user.unacknowledged.push(`content seeding answered ${seeded?.status ?? 'nothing'}`);
  }
  if (planned.deprovision) {
    const off = await scim.call('PATCH', `/Users/${user.id}`, deactivation(planned.dialect));
    if (ok(off?.status)) user.active = false;
    else user.unacknowledged.push(`deprovision answered ${off?.status ?? 'nothing'}`);
  }
};

/** Group pushes: each group created empty, members added 100 per PATCH, then some removed again. */
const pushGroup = async ({ scim }: Provisioning, name: string, users: AcknowledgedUser[]) => {
  const members = users.filter((u) => u.id && u.active && u.planned.groups.includes(name));
  const created = await scim.call('POST', '/Groups', {
    schemas: [GROUP_SCHEMA],
    displayName: name,
    members: [],
  });
  if (created?.status !== 201) {
    for (const user of members)
      user.unacknowledged.push(`group ${name} create answered ${created?.status ?? 'nothing'}`);
    return;
  }
  const groupId = created.body.id as string;
  for (let start = 0; start < members.length; start += MEMBERS_PER_PATCH) {
    const batch = members.slice(start, start + MEMBERS_PER_PATCH);
    const added = await scim.call(
      'PATCH',
      `/Groups/${groupId}`,
      patchOf([{ op: 'add', path: 'members', value: batch.map((u) => ({ value: u.id })) }]),
    );
    for (const user of batch) {
      if (ok(added?.status)) user.groups.add(name);
      else user.unacknowledged.push(`group ${name} add answered ${added?.status ?? 'nothing'}`);
    }
  }
  for (const user of members.filter((u) => u.planned.removedFrom === name && u.groups.has(name))) {
    // Okta removes by a filtered path, Entra by a value list.
    const removal =
      user.planned.dialect === 'okta'
        ? { op: 'remove', path: `members[value eq "${user.id}"]` }
        : { op: 'Remove', path: 'members', value: [{ value: user.id }] };
    const removed = await scim.call('PATCH', `/Groups/${groupId}`, patchOf([removal]));
    if (ok(removed?.status)) user.groups.delete(name);
    else user.unacknowledged.push(`group ${name} removal answered ${removed?.status ?? 'nothing'}`);
  }
};

/**
 * Provisions `count` users as an IdP would. The admins go first, one by one, so the oldest
 * Organization Admin (who receives deprovisioned users' content) is user 0 however the run goes.
 */
export const provisionAll = async (
  provisioning: Provisioning,
  count: number,
): Promise<AcknowledgedUser[]> => {
  const users = Array.from({ length: count }, (_, index) => newAcknowledged(planUser(index)));
  const admins = users.filter((u) => u.planned.admin);
  for (const admin of admins.slice(0, 1)) await provisionUser(provisioning, admin);
  let done = 0;
  await inPool(
    users.filter((u) => u !== admins[0]),
    provisioning.concurrency,
    async (user) => {
      await provisionUser(provisioning, user);
      if (++done % 1_000 === 0) provisioning.log(`  ${done} users provisioned`);
    },
  );
  await Promise.all(GROUPS.map((name) => pushGroup(provisioning, name, users)));
  return users;
};
