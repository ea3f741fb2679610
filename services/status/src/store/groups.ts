import { GROUPS_COLLECTION, type GroupDocument } from '@roster/contracts';
import { isDuplicateKey, type Logger } from '@roster/service-kit';
import type { ClientSession, Collection, Db } from 'mongodb';
import type { GroupState } from '../domain/groups/state.ts';
import { dropIfUniquenessDiffers } from './indexes.ts';
import { StaleDecision } from './stale-decision.ts';

const DISPLAY_NAME_INDEX = 'tenant_displayName';
const DISPLAY_NAME_KEY = { tenant: 1, 'resource.displayName': 1 } as const;

/** The status service's `groups` collection: pushed groups (it is their only writer). */
export class GroupsDirectory {
  readonly #groups: Collection<GroupDocument>;
  readonly #log: Logger;

  constructor(db: Db, log: Logger) {
    this.#groups = db.collection<GroupDocument>(GROUPS_COLLECTION);
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
    await this.#groups.createIndex({ tenant: 1, 'resource.members.value': 1 }, { name: 'tenant_member' });
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

  async byId(tenant: string, id: string): Promise<GroupState | undefined> {
    return toState(await this.#groups.findOne({ _id: id, tenant }));
  }

  /** The group named exactly `displayName`. */
  async byDisplayName(tenant: string, displayName: string): Promise<GroupState | undefined> {
    return toState(await this.#groups.findOne({ tenant, 'resource.displayName': displayName }));
  }

  /**
   * Writes a decided group within `session`: a new group (`expectedVersion` undefined) is inserted,
   * an existing one replaced only while it still has the version the decision was made against.
   * Throws StaleDecision when it moved on, the driver's DuplicateKey when another group holds the
   * displayName.
   */
  async write(
    doc: GroupDocument,
    expectedVersion: number | undefined,
    session: ClientSession,
  ): Promise<void> {
    if (expectedVersion === undefined) {
      await this.#groups.insertOne(doc, { session });
      return;
    }
    const written = await this.#groups.replaceOne(
      { _id: doc._id, tenant: doc.tenant, 'meta.version': expectedVersion },
      doc,
      { session },
    );
    if (written.matchedCount === 0)
      throw new StaleDecision(`group ${doc._id} is no longer at version ${expectedVersion}`);
  }

  /** Deletes a group within `session` if it still has the version its deletion was decided against. */
  async remove(tenant: string, id: string, expectedVersion: number, session: ClientSession): Promise<void> {
    const removed = await this.#groups.deleteOne(
      { _id: id, tenant, 'meta.version': expectedVersion },
      { session },
    );
    if (removed.deletedCount === 0)
      throw new StaleDecision(`group ${id} is no longer at version ${expectedVersion}`);
  }
}

const toState = (doc: GroupDocument | null): GroupState | undefined =>
  doc
    ? {
        id: doc._id,
        tenant: doc.tenant,
        attributes: doc.resource,
        version: doc.meta.version,
        created: doc.meta.created,
        lastModified: doc.meta.lastModified,
      }
    : undefined;

export const toGroupDocument = (state: GroupState): GroupDocument => ({
  _id: state.id,
  tenant: state.tenant,
  resource: state.attributes,
  meta: { created: state.created, lastModified: state.lastModified, version: state.version },
});
