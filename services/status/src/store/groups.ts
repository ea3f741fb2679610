import {
  GROUP_MEMBERS_COLLECTION,
  GROUPS_COLLECTION,
  type GroupDocument,
  type GroupMemberDocument,
  type GroupMembersChange,
  groupMemberId,
} from '@roster/contracts';
import { isDuplicateKey, type Logger } from '@roster/service-kit';
import type { AnyBulkWriteOperation, ClientSession, Collection, Db } from 'mongodb';
import type { GroupState } from '../domain/groups/state.ts';
import { dropIfUniquenessDiffers } from './indexes.ts';
import { StaleDecision } from './stale-decision.ts';

const DISPLAY_NAME_INDEX = 'tenant_displayName';
const DISPLAY_NAME_KEY = { tenant: 1, 'resource.displayName': 1 } as const;

/** A group document as versions before members were stored apart wrote it. */
interface GroupDocumentWithMembers extends GroupDocument {
  resource: GroupDocument['resource'] & { members?: { value: string }[] };
}

/**
 * The status service's `groups` and `group_members` collections: pushed groups and their members,
 * one document per member (it is their only writer).
 */
export class GroupsDirectory {
  readonly #groups: Collection<GroupDocumentWithMembers>;
  readonly #members: Collection<GroupMemberDocument>;
  readonly #log: Logger;

  constructor(db: Db, log: Logger) {
    this.#groups = db.collection<GroupDocumentWithMembers>(GROUPS_COLLECTION);
    this.#members = db.collection<GroupMemberDocument>(GROUP_MEMBERS_COLLECTION);
    this.#log = log;
  }

  /**
   * displayName is unique per organization, compared exactly (a pushed group maps to the workspace
   * of exactly its name). Earlier versions did not enforce it: a deployment that already holds two
   * groups of one name keeps a plain index and a warning until they are renamed or deleted (the
   * decisions refuse new duplicates; only two concurrent creates of such a name are not caught), and
   * gets the unique index at the next start after that.
   */
  async ensureIndexes(): Promise<void> {
    await this.#members.createIndexes([
      { key: { tenant: 1, groupId: 1 }, name: 'tenant_group' },
      { key: { tenant: 1, userId: 1 }, name: 'tenant_user' },
    ]);
    await this.#moveEmbeddedMembers();
    await dropIfUniquenessDiffers(this.#groups, DISPLAY_NAME_INDEX, true);
    try {
      await this.#groups.createIndex(DISPLAY_NAME_KEY, { name: DISPLAY_NAME_INDEX, unique: true });
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
      this.#log.warn(
        { err },
        'groups of one organization share a displayName (created before displayNames were unique): rename or delete the duplicates, then restart for the unique index',
      );
      await this.#groups.createIndex(DISPLAY_NAME_KEY, { name: DISPLAY_NAME_INDEX });
    }
  }

  /**
   * Versions before members were stored apart kept them inside the group document: moved out at
   * start, once (a moved group has none left), each group guarded by its version.
   */
  async #moveEmbeddedMembers(): Promise<void> {
    for await (const group of this.#groups.find({ 'resource.members': { $exists: true } })) {
      const memberIds = [...new Set((group.resource.members ?? []).map((m) => m.value))];
      if (memberIds.length > 0)
        await this.#members.bulkWrite(
          memberIds.map((userId) => memberUpsert(group.tenant, group._id, userId)),
          { ordered: false },
        );
      await this.#groups.updateOne(
        { _id: group._id, 'meta.version': group.meta.version },
        { $unset: { 'resource.members': '' }, $set: { memberCount: memberIds.length } },
      );
    }
  }

  /** Which of `userIds` are members of the group: a read of only those members. */
  async membersAmong(tenant: string, groupId: string, userIds: readonly string[]): Promise<Set<string>> {
    if (userIds.length === 0) return new Set();
    const found = await this.#members
      .find(
        { _id: { $in: userIds.map((userId) => groupMemberId(tenant, groupId, userId)) } },
        { projection: { userId: 1 } },
      )
      .toArray();
    return new Set(found.map((m) => m.userId));
  }

  async byId(tenant: string, id: string): Promise<GroupState | undefined> {
    return toState(await this.#groups.findOne({ _id: id, tenant }));
  }

  /** The group named exactly `displayName`. */
  async byDisplayName(tenant: string, displayName: string): Promise<GroupState | undefined> {
    return toState(await this.#groups.findOne({ tenant, 'resource.displayName': displayName }));
  }

  /**
   * Writes a decided group and what it did to the members within `session`: a new group
   * (`expectedVersion` undefined) is inserted, an existing one replaced only while it still has
   * the version the decision was made against. Throws StaleDecision when it moved on, the
   * driver's DuplicateKey when another group holds the displayName.
   */
  async write(
    doc: GroupDocument,
    expectedVersion: number | undefined,
    members: GroupMembersChange,
    session: ClientSession,
  ): Promise<void> {
    if (expectedVersion === undefined) {
      await this.#groups.insertOne(doc, { session });
    } else {
      const written = await this.#groups.replaceOne(
        { _id: doc._id, tenant: doc.tenant, 'meta.version': expectedVersion },
        doc,
        { session },
      );
      if (written.matchedCount === 0)
        throw new StaleDecision(`group ${doc._id} is no longer at version ${expectedVersion}`);
    }
    await this.#writeMembers(doc.tenant, doc._id, members, expectedVersion === undefined, session);
  }

  /**
   * Writes a member change: one write of the members it names (a replacement also removes the
   * rest, which a new group has none of).
   */
  async #writeMembers(
    tenant: string,
    groupId: string,
    members: GroupMembersChange,
    isNew: boolean,
    session: ClientSession,
  ): Promise<void> {
    const kept = members.kind === 'delta' ? members.added : members.memberIds;
    if (members.kind === 'replaced' && !isNew)
      await this.#members.deleteMany({ tenant, groupId, userId: { $nin: kept } }, { session });
    const writes: AnyBulkWriteOperation<GroupMemberDocument>[] = [
      ...(members.kind === 'delta' ? members.removed : []).map((userId) => ({
        deleteOne: { filter: { _id: groupMemberId(tenant, groupId, userId) } },
      })),
      ...kept.map((userId) => memberUpsert(tenant, groupId, userId)),
    ];
    if (writes.length > 0) await this.#members.bulkWrite(writes, { ordered: false, session });
  }

  /**
   * Deletes a group and its members within `session` if it still has the version its deletion
   * was decided against.
   */
  async remove(tenant: string, id: string, expectedVersion: number, session: ClientSession): Promise<void> {
    const removed = await this.#groups.deleteOne(
      { _id: id, tenant, 'meta.version': expectedVersion },
      { session },
    );
    if (removed.deletedCount === 0)
      throw new StaleDecision(`group ${id} is no longer at version ${expectedVersion}`);
    await this.#members.deleteMany({ tenant, groupId: id }, { session });
  }
}

const memberUpsert = (
  tenant: string,
  groupId: string,
  userId: string,
): AnyBulkWriteOperation<GroupMemberDocument> => ({
  updateOne: {
    filter: { _id: groupMemberId(tenant, groupId, userId) },
    update: { $setOnInsert: { tenant, groupId, userId } },
    upsert: true,
  },
});

const toState = (doc: GroupDocument | null): GroupState | undefined =>
  doc
    ? {
        id: doc._id,
        tenant: doc.tenant,
        attributes: doc.resource,
        memberCount: doc.memberCount,
        version: doc.meta.version,
        created: doc.meta.created,
        lastModified: doc.meta.lastModified,
      }
    : undefined;

export const toGroupDocument = (state: GroupState): GroupDocument => ({
  _id: state.id,
  tenant: state.tenant,
  resource: state.attributes,
  memberCount: state.memberCount,
  meta: { created: state.created, lastModified: state.lastModified, version: state.version },
});
