import { GROUPS_COLLECTION, type GroupDocument } from '@roster/contracts';
import { isDuplicateKey } from '@roster/service-kit';
import type { Collection, Db } from 'mongodb';
import type { GroupState } from '../domain/groups/state.ts';

/** The status service's `groups` collection: pushed groups (it is their only writer). */
export class GroupsDirectory {
  readonly #groups: Collection<GroupDocument>;

  constructor(db: Db) {
    this.#groups = db.collection<GroupDocument>(GROUPS_COLLECTION);
  }

  async ensureIndexes(): Promise<void> {
    await this.#groups.createIndexes([
      { key: { tenant: 1, 'resource.displayName': 1 }, name: 'tenant_displayName' },
      { key: { tenant: 1, 'resource.members.value': 1 }, name: 'tenant_member' },
    ]);
  }

  async byId(tenant: string, id: string): Promise<GroupState | undefined> {
    const doc = await this.#groups.findOne({ _id: id, tenant });
    return doc
      ? {
          id: doc._id,
          tenant: doc.tenant,
          attributes: doc.resource,
          version: doc.meta.version,
          created: doc.meta.created,
          lastModified: doc.meta.lastModified,
        }
      : undefined;
  }

  /** Idempotent: the same decided document applied twice changes nothing. */
  async apply(doc: GroupDocument): Promise<void> {
    try {
      await this.#groups.replaceOne({ _id: doc._id, 'meta.version': { $lt: doc.meta.version } }, doc, {
        upsert: true,
      });
    } catch (err) {
      if (!isDuplicateKey(err, '_id')) throw err;
    }
  }

  async remove(tenant: string, id: string): Promise<void> {
    await this.#groups.deleteOne({ _id: id, tenant });
  }
}

export const toGroupDocument = (state: GroupState): GroupDocument => ({
  _id: state.id,
  tenant: state.tenant,
  resource: state.attributes,
  meta: { created: state.created, lastModified: state.lastModified, version: state.version },
});
