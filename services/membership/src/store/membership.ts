import {
  ORGANIZATIONS_COLLECTION,
  type OrganizationDocument,
  TOPICS,
  type UserSnapshot,
  WORKSPACE_MEMBERS_COLLECTION,
  WORKSPACES_COLLECTION,
  type WorkspaceDocument,
  type WorkspaceMemberDocument,
  workspaceMemberId,
} from '@roster/contracts';
import { type Clock, ignoringDuplicates, isDuplicateKey, systemClock } from '@roster/service-kit';
import type { AnyBulkWriteOperation, Collection, Db } from 'mongodb';
import {
  type CaptureRule,
  type DesiredMembership,
  desiredMemberships,
  type GroupProjection,
  planConvergence,
  sameWorkspaces,
  type UserProjection,
  type WorkspaceRef,
} from '../domain/desired.ts';
import { groupChangeCandidates, type MemberWrites, memberWrites } from '../domain/group-change.ts';

/** The membership service's own collections (besides the public `workspace_members`). */
export const USERS_PROJECTION_COLLECTION = 'membership_users';
export const GROUPS_PROJECTION_COLLECTION = 'membership_groups';
export const GROUP_MEMBERS_COLLECTION = 'membership_group_members';
export const ORG_EVENTS_COLLECTION = 'membership_org_events';

export interface UserDoc extends UserProjection {
  /** `${tenant}:${userId}` */
  _id: string;
  tenant: string;
  /** bumped by every write that may change the user's desired workspaces (see `converge`) */
  rev: number;
  updatedAt: string;
}

/** What a group change did, kept so that a redelivery re-publishes the same outcomes. */
export interface GroupChangeRecord {
  sequence: number;
  commandId: string;
  /** users whose memberships were (re)converged */
  candidates: string[];
  /** users whose workspaces changed: each got an outcome */
  affected: string[];
}

/** A group's projection; its members are documents of their own (`GroupMemberDoc`). */
export interface GroupDoc extends Omit<GroupProjection, 'memberIds'> {
  /** `${tenant}:${groupId}` */
  _id: string;
  tenant: string;
  sequence: number;
  lastChange: GroupChangeRecord;
  updatedAt: string;
}

/** A projection as the version before `GroupMemberDoc` wrote it, its members inside. */
interface LegacyGroupDoc extends GroupDoc {
  memberIds?: string[];
}

/** The previous version's index of `LegacyGroupDoc.memberIds`, dropped once they moved out. */
const LEGACY_MEMBER_INDEX = 'tenant_member';

/** Whether a user is a member of a group, as the group change `sequence` wrote it last. */
export interface GroupMemberDoc {
  /** `${tenant}:${groupId}:${userId}` */
  _id: string;
  tenant: string;
  groupId: string;
  userId: string;
  /** false: a tombstone, kept so that an older change cannot make the user a member again */
  present: boolean;
  sequence: number;
  updatedAt: string;
}

/** One processed org change (workspace or settings); its id dedupes redeliveries. */
export interface OrgEventDoc {
  /** `${tenant}:${event id}` */
  _id: string;
  tenant: string;
  type: string;
  candidates: string[];
  affected: string[];
  at: string;
  /** TTL: the org-changes topic's retention, after which no redelivery can arrive */
  expiresAt: Date;
}

const projectionId = (tenant: string, id: string): string => `${tenant}:${id}`;
const groupMemberId = (tenant: string, groupId: string, userId: string): string =>
  `${tenant}:${groupId}:${userId}`;

/** Everything a user's desired workspaces depend on, read for a batch of users of one tenant. */
export interface MembershipContext {
  users: Map<string, UserDoc>;
  rule: CaptureRule | null;
  workspaces: WorkspaceRef[];
  groups: GroupProjection[];
  actual: Map<string, WorkspaceMemberDocument[]>;
}

export interface ConvergedUser {
  user: UserDoc | undefined;
  memberships: DesiredMembership[];
}

/** Users converged per round trip (reads and writes are batched per chunk). */
export const CONVERGE_BATCH = 500;
const MAX_ATTEMPTS = 25;
/** Member documents written per round trip. */
const MEMBER_WRITE_BATCH = 1_000;

const chunks = <T>(items: readonly T[], size: number): T[][] => {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
};

/**
 * The membership state: the service's projections of users, groups and group members, the org
 * changes it processed, and the public `workspace_members` it converges (it only reads
 * `organizations` and `workspaces`, written by the admin API).
 */
export class MembershipStore {
  readonly #users: Collection<UserDoc>;
  readonly #groups: Collection<GroupDoc>;
  readonly #legacyGroups: Collection<LegacyGroupDoc>;
  readonly #groupMembers: Collection<GroupMemberDoc>;
  readonly #orgEvents: Collection<OrgEventDoc>;
  readonly #members: Collection<WorkspaceMemberDocument>;
  readonly #organizations: Collection<OrganizationDocument>;
  readonly #workspaces: Collection<WorkspaceDocument>;
  readonly #clock: Clock;

  constructor(db: Db, clock: Clock = systemClock) {
    this.#users = db.collection<UserDoc>(USERS_PROJECTION_COLLECTION);
    this.#groups = db.collection<GroupDoc>(GROUPS_PROJECTION_COLLECTION);
    this.#legacyGroups = db.collection<LegacyGroupDoc>(GROUPS_PROJECTION_COLLECTION);
    this.#groupMembers = db.collection<GroupMemberDoc>(GROUP_MEMBERS_COLLECTION);
    this.#orgEvents = db.collection<OrgEventDoc>(ORG_EVENTS_COLLECTION);
    this.#members = db.collection<WorkspaceMemberDocument>(WORKSPACE_MEMBERS_COLLECTION);
    this.#organizations = db.collection<OrganizationDocument>(ORGANIZATIONS_COLLECTION);
    this.#workspaces = db.collection<WorkspaceDocument>(WORKSPACES_COLLECTION);
    this.#clock = clock;
  }

  /** Creates the indexes, then moves the member lists the previous version left (see below). */
  async ensureIndexes(): Promise<void> {
    await Promise.all([
      this.#members.createIndexes([
        { key: { tenant: 1, userId: 1 }, name: 'tenant_user' },
        { key: { tenant: 1, workspaceId: 1 }, name: 'tenant_workspace' },
      ]),
      this.#users.createIndexes([{ key: { tenant: 1, known: 1 }, name: 'tenant_known' }]),
      this.#orgEvents.createIndexes([{ key: { expiresAt: 1 }, name: 'expires', expireAfterSeconds: 0 }]),
      this.#groups.createIndexes([{ key: { tenant: 1, displayName: 1 }, name: 'tenant_display_name' }]),
      this.#groupMembers.createIndexes([
        { key: { tenant: 1, userId: 1, present: 1 }, name: 'tenant_user' },
        { key: { tenant: 1, groupId: 1, present: 1 }, name: 'tenant_group' },
      ]),
    ]);
    await this.#moveLegacyMemberLists();
  }

  /**
   * The previous version kept a group's members in its projection: each list becomes member
   * documents, applied as the replacement it was at the projection's sequence (guarded as every
   * member write), then leaves the projection, only together with that sequence (a projection
   * written meanwhile keeps its list for the next start). Runs before consuming; idempotent.
   */
  async #moveLegacyMemberLists(): Promise<void> {
    for await (const legacy of this.#legacyGroups.find({ memberIds: { $exists: true } })) {
      const members = { kind: 'replaced' as const, memberIds: legacy.memberIds ?? [] };
      const current = await this.groupMembers(legacy.tenant, legacy.groupId);
      const writes = memberWrites(members, groupChangeCandidates(members, current));
      await this.writeGroupMembers(legacy.tenant, legacy.groupId, legacy.sequence, writes);
      await this.#legacyGroups.updateOne(
        { _id: legacy._id, sequence: legacy.sequence },
        { $unset: { memberIds: '' } },
      );
    }
    if (await this.#groups.indexExists(LEGACY_MEMBER_INDEX))
      await this.#groups.dropIndex(LEGACY_MEMBER_INDEX).catch((err: unknown) => {
        // another replica starting at the same time dropped it first
        if ((err as { codeName?: unknown }).codeName !== 'IndexNotFound') throw err;
      });
  }

  /**
   * Records users' snapshots and bumps their revs, each in one atomic update guarded by its
   * sequence, all with one write: a redelivered or stale change (the projection holds this
   * sequence or a newer one) writes nothing.
   */
  async recordUsers(
    tenant: string,
    changes: readonly { user: Pick<UserSnapshot, 'id' | 'active' | 'email'>; sequence: number }[],
  ): Promise<void> {
    if (changes.length === 0) return;
    const now = this.#clock.now();
    // A guard that missed makes the upsert hit the existing document: a duplicate key, nothing written.
    await ignoringDuplicates(
      this.#users.bulkWrite(
        changes.map(({ user, sequence }) => ({
          updateOne: {
            filter: { _id: projectionId(tenant, user.id), sequence: { $lt: sequence } },
            update: {
              $set: {
                tenant,
                userId: user.id,
                known: true,
                active: user.active,
                email: user.email,
                sequence,
                updatedAt: now,
              },
              $inc: { rev: 1 },
            },
            upsert: true,
          },
        })),
        // Unordered: a redelivered change (a duplicate key) must not stop the changes after it.
        { ordered: false },
      ),
    );
  }

  group(tenant: string, groupId: string): Promise<GroupDoc | null> {
    return this.#groups.findOne({ _id: projectionId(tenant, groupId) });
  }

  /**
   * Records a group's projection and what its change does, in one atomic update guarded by the
   * sequence, before its members are written. False when a concurrent delivery of this change (or
   * a newer one) got there first.
   */
  async recordGroupChange(
    tenant: string,
    group: Omit<GroupProjection, 'memberIds'>,
    change: GroupChangeRecord,
  ): Promise<boolean> {
    try {
      const written = await this.#groups.updateOne(
        { _id: projectionId(tenant, group.groupId), sequence: { $lt: change.sequence } },
        {
          $set: {
            tenant,
            ...group,
            sequence: change.sequence,
            lastChange: change,
            updatedAt: this.#clock.now(),
          },
        },
        { upsert: true },
      );
      return written.modifiedCount + written.upsertedCount > 0;
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
      return false;
    }
  }

  /** A group's current members. */
  async groupMembers(tenant: string, groupId: string): Promise<string[]> {
    return this.#presentMembers(tenant, [groupId]);
  }

  async #presentMembers(tenant: string, groupIds: readonly string[]): Promise<string[]> {
    if (groupIds.length === 0) return [];
    const docs = await this.#groupMembers
      .find({ tenant, groupId: { $in: [...groupIds] }, present: true }, { projection: { userId: 1 } })
      .toArray();
    return docs.map((d) => d.userId);
  }

  /**
   * Writes what group change `sequence` does to the members, one document per (group, user).
   *
   * Why no stale delivery can undo a newer change, as with the projection's single guarded
   * update: every write is an upsert guarded by `sequence < this change's`, so a member document
   * only moves forward and holds what the newest change that wrote it said. Every delivery of a
   * change writes the same (derived from the message and the candidates recorded with the
   * projection, before any member write), and a change is handled only once a delivery of the
   * one before completed (partition order; offsets committed after the handler, which a redelivery
   * finishes, member writes included). So a delivery of N resumed after N+1 was applied finds
   * every document N+1 wrote newer and every other one holding N's write already: it changes
   * nothing. A replacement's removals are the members it read when N-1 was complete: the ones
   * a later change wrote since are newer, hence untouched too. A guard that misses makes the
   * upsert insert an existing `_id`: a duplicate key, "newer or the same already there", ignored.
   */
  async writeGroupMembers(
    tenant: string,
    groupId: string,
    sequence: number,
    writes: MemberWrites,
  ): Promise<void> {
    const now = this.#clock.now();
    const ops = [
      ...writes.present.map((userId) => ({ userId, present: true })),
      ...writes.absent.map((userId) => ({ userId, present: false })),
    ].map(
      ({ userId, present }): AnyBulkWriteOperation<GroupMemberDoc> => ({
        updateOne: {
          filter: { _id: groupMemberId(tenant, groupId, userId), sequence: { $lt: sequence } },
          update: { $set: { tenant, groupId, userId, present, sequence, updatedAt: now } },
          upsert: true,
        },
      }),
    );
    // Unordered: one member written already (a redelivery) must not stop the others.
    for (const batch of chunks(ops, MEMBER_WRITE_BATCH))
      await ignoringDuplicates(this.#groupMembers.bulkWrite(batch, { ordered: false }));
  }

  orgEvent(tenant: string, eventId: string): Promise<OrgEventDoc | null> {
    return this.#orgEvents.findOne({ _id: projectionId(tenant, eventId) });
  }

  /** Records a processed org change once; false when a concurrent delivery recorded it first. */
  async recordOrgEvent(
    tenant: string,
    event: { id: string; type: string },
    candidates: string[],
    affected: string[],
  ): Promise<boolean> {
    try {
      await this.#orgEvents.insertOne({
        _id: projectionId(tenant, event.id),
        tenant,
        type: event.type,
        candidates,
        affected,
        at: this.#clock.now(),
        // kept as long as the topic keeps the event: no redelivery can come later
        expiresAt: new Date(Date.now() + TOPICS.orgChanges.retentionMs),
      });
      return true;
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
      return false;
    }
  }

  /**
   * Reads everything the desired workspaces of `userIds` depend on; the users (and their revs)
   * first. The groups are those listing one of the users, each with its members among them only;
   * `override` stands for one group's projection (its members among the users too).
   */
  async load(
    tenant: string,
    userIds: readonly string[],
    override?: GroupProjection,
  ): Promise<MembershipContext> {
    const users = await this.#users
      .find({ _id: { $in: userIds.map((u) => projectionId(tenant, u)) } })
      .toArray();
    const [org, workspaces, memberOf, actual] = await Promise.all([
      this.#organizations.findOne({ _id: tenant }, { projection: { autoCapture: 1, domains: 1 } }),
      this.#workspaces.find({ tenant }).toArray(),
      this.#groupMembers
        .find(
          { tenant, userId: { $in: [...userIds] }, present: true },
          { projection: { groupId: 1, userId: 1 } },
        )
        .toArray(),
      this.#members.find({ tenant, userId: { $in: [...userIds] } }).toArray(),
    ]);
    const membersByGroup = new Map<string, string[]>();
    for (const { groupId, userId } of memberOf) {
      if (groupId === override?.groupId) continue;
      const ofGroup = membersByGroup.get(groupId);
      if (ofGroup) ofGroup.push(userId);
      else membersByGroup.set(groupId, [userId]);
    }
    const groups =
      membersByGroup.size === 0
        ? []
        : await this.#groups
            .find(
              {
                _id: { $in: [...membersByGroup.keys()].map((g) => projectionId(tenant, g)) },
                deleted: false,
              },
              { projection: { groupId: 1, displayName: 1 } },
            )
            .toArray();
    const groupProjections: GroupProjection[] = groups.map(({ groupId, displayName }) => ({
      groupId,
      displayName,
      memberIds: membersByGroup.get(groupId) ?? [],
      deleted: false,
    }));
    if (override) {
      const loaded = new Set(userIds);
      groupProjections.push({ ...override, memberIds: override.memberIds.filter((id) => loaded.has(id)) });
    }
    const actualByUser = new Map<string, WorkspaceMemberDocument[]>();
    for (const doc of actual) actualByUser.set(doc.userId, [...(actualByUser.get(doc.userId) ?? []), doc]);
    return {
      users: new Map(users.map((u) => [u.userId, u])),
      rule: org ? { autoCapture: org.autoCapture === true, domains: org.domains ?? [] } : null,
      workspaces: workspaces.map((w) => ({
        id: w._id,
        name: w.name,
        isDefault: w.isDefault === true,
        createdAt: w.createdAt ?? '',
      })),
      groups: groupProjections,
      actual: actualByUser,
    };
  }

  static desired(context: MembershipContext, userId: string): DesiredMembership[] {
    return desiredMemberships({
      user: context.users.get(userId) ?? null,
      rule: context.rule,
      workspaces: context.workspaces,
      groups: context.groups,
    });
  }

  /**
   * Marks users whose desired workspaces may have changed: every writer of an input (user
   * snapshot, group, workspace, org settings) bumps the users' `rev` AFTER writing the input and
   * BEFORE converging them. Unknown users get a placeholder so the bump is never lost.
   */
  async bump(tenant: string, userIds: readonly string[]): Promise<void> {
    for (const batch of chunks(userIds, CONVERGE_BATCH)) {
      const ops: AnyBulkWriteOperation<UserDoc>[] = batch.map((userId) => ({
        updateOne: {
          filter: { _id: projectionId(tenant, userId) },
          update: {
            $inc: { rev: 1 },
            $setOnInsert: {
              tenant,
              userId,
              known: false,
              active: false,
              email: '',
              sequence: 0,
              updatedAt: this.#clock.now(),
            },
          },
          upsert: true,
        },
      }));
      try {
        await this.#users.bulkWrite(ops, { ordered: false });
      } catch (err) {
        // a concurrent upsert of the same user: the document exists now, so bumping again is enough
        if (!isDuplicateKey(err)) throw err;
        await this.#users.bulkWrite(ops, { ordered: false });
      }
    }
  }

  /**
   * Converges the actual memberships of `userIds` to their desired ones. Optimistic: read revs,
   * read inputs, write the difference, then check that no rev moved meanwhile; a user whose rev
   * moved is converged again. Since every input writer bumps revs after its write and converges
   * afterwards, the last convergence of a user always sees every input, whatever the interleaving
   * across partitions, topics and replicas. Idempotent: a converged user gets no write at all.
   */
  async converge(tenant: string, userIds: readonly string[]): Promise<Map<string, ConvergedUser>> {
    const result = new Map<string, ConvergedUser>();
    for (const batch of chunks([...new Set(userIds)], CONVERGE_BATCH)) {
      let pending = batch;
      for (let attempt = 0; pending.length > 0; attempt++) {
        if (attempt >= MAX_ATTEMPTS)
          throw new Error(`membership of ${pending.length} users did not settle after ${attempt} attempts`);
        const context = await this.load(tenant, pending);
        const ops: AnyBulkWriteOperation<WorkspaceMemberDocument>[] = [];
        const now = this.#clock.now();
        for (const userId of pending) {
          const memberships = MembershipStore.desired(context, userId);
          result.set(userId, { user: context.users.get(userId), memberships });
          const plan = planConvergence(context.actual.get(userId) ?? [], memberships);
          for (const m of plan.upsert)
            ops.push({
              updateOne: {
                filter: { _id: workspaceMemberId(m.workspaceId, userId) },
                update: {
                  $set: {
                    tenant,
                    workspaceId: m.workspaceId,
                    workspaceName: m.workspaceName,
                    userId,
                    sources: m.sources,
                    updatedAt: now,
                  },
                  $setOnInsert: { since: now },
                },
                upsert: true,
              },
            });
          for (const workspaceId of plan.remove)
            ops.push({ deleteOne: { filter: { _id: workspaceMemberId(workspaceId, userId) } } });
        }
        if (ops.length > 0) await this.#writeMembers(ops);
        const revs = await this.#users
          .find(
            { _id: { $in: pending.map((u) => projectionId(tenant, u)) } },
            { projection: { userId: 1, rev: 1 } },
          )
          .toArray();
        const revNow = new Map(revs.map((u) => [u.userId, u.rev]));
        pending = pending.filter((u) => revNow.get(u) !== context.users.get(u)?.rev);
      }
    }
    return result;
  }

  async #writeMembers(ops: AnyBulkWriteOperation<WorkspaceMemberDocument>[]): Promise<void> {
    try {
      await this.#members.bulkWrite(ops, { ordered: false });
    } catch (err) {
      // two convergences inserting the same membership at once: the second upsert finds it now
      if (!isDuplicateKey(err)) throw err;
      await this.#members.bulkWrite(ops, { ordered: false });
    }
  }

  /**
   * Users (known to the directory) whose reported workspaces (ids, names) would change if
   * converged now, with `override` replacing the stored projection of one group.
   */
  async affected(tenant: string, userIds: readonly string[], override?: GroupProjection): Promise<string[]> {
    const out: string[] = [];
    for (const batch of chunks(userIds, CONVERGE_BATCH)) {
      const context = await this.load(tenant, batch, override);
      for (const userId of batch)
        if (
          context.users.get(userId)?.known === true &&
          !sameWorkspaces(context.actual.get(userId) ?? [], MembershipStore.desired(context, userId))
        )
          out.push(userId);
    }
    return out;
  }

  /** Every user the service knows in a tenant (for org-wide re-evaluation). */
  async knownUsers(tenant: string): Promise<string[]> {
    const docs = await this.#users.find({ tenant, known: true }, { projection: { userId: 1 } }).toArray();
    return docs.map((d) => d.userId);
  }

  /** Members of the non-deleted groups named `names` exactly. */
  async membersOfGroupsNamed(tenant: string, names: readonly string[]): Promise<string[]> {
    const groups = await this.#groups
      .find({ tenant, displayName: { $in: [...names] }, deleted: false }, { projection: { groupId: 1 } })
      .toArray();
    const groupIds = groups.map((g) => g.groupId);
    return this.#presentMembers(tenant, groupIds);
  }

  /** Users currently in a workspace. */
  async membersOfWorkspace(tenant: string, workspaceId: string): Promise<string[]> {
    const docs = await this.#members.find({ tenant, workspaceId }, { projection: { userId: 1 } }).toArray();
    return docs.map((d) => d.userId);
  }
}
