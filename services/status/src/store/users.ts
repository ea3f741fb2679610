import { type ProvisioningView, USERS_COLLECTION, type UserDocument } from '@roster/contracts';
import { isDuplicateKey } from '@roster/service-kit';
import type { Collection, Db } from 'mongodb';
import type { UserState } from '../domain/users/state.ts';

/** The status service's `users` collection: the SCIM directory's users (it is their only writer). */
export class UsersDirectory {
  readonly #users: Collection<UserDocument>;

  constructor(db: Db) {
    this.#users = db.collection<UserDocument>(USERS_COLLECTION);
  }

  async ensureIndexes(): Promise<void> {
    await this.#users.createIndexes([
      { key: { tenant: 1, userNameKey: 1 }, name: 'tenant_userName', unique: true },
      {
        key: { tenant: 1, 'resource.externalId': 1 },
        name: 'tenant_externalId',
        unique: true,
        partialFilterExpression: { 'resource.externalId': { $exists: true } },
      },
    ]);
  }

  async byId(tenant: string, id: string): Promise<UserState | undefined> {
    return toState(await this.document(tenant, id));
  }

  /** The stored document, provisioning view included. */
  document(tenant: string, id: string): Promise<UserDocument | null> {
    return this.#users.findOne({ _id: id, tenant });
  }

  /** Replaces the provisioning view folded from step outcomes (the resource is left as it is). */
  async setProvisioning(tenant: string, id: string, provisioning: ProvisioningView): Promise<void> {
    await this.#users.updateOne({ _id: id, tenant }, { $set: { provisioning } });
  }

  async byUserName(tenant: string, userName: string): Promise<UserState | undefined> {
    return toState(await this.#users.findOne({ tenant, userNameKey: userNameKey(userName) }));
  }

  async byExternalId(tenant: string, externalId: string | undefined): Promise<UserState | undefined> {
    if (externalId === undefined) return undefined;
    return toState(await this.#users.findOne({ tenant, 'resource.externalId': externalId }));
  }

  /** Ids among `ids` that are SCIM-visible users of the tenant. */
  async visibleIds(tenant: string, ids: readonly string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const found = await this.#users
      .find({ tenant, _id: { $in: [...ids] }, scimDeleted: false }, { projection: { _id: 1 } })
      .toArray();
    return new Set(found.map((d) => d._id));
  }

  /**
   * Writes the decided document unless a newer or equal version is already stored (a redelivered
   * command re-applies the same document: no effect). Throws the driver's DuplicateKey error when
   * another user holds the userName or externalId.
   */
  async apply(doc: UserDocument): Promise<void> {
    // $set, not replace: the provisioning view beside the resource is folded from step outcomes.
    const { _id, provisioning: _, ...fields } = doc;
    try {
      await this.#users.updateOne(
        { _id, 'meta.version': { $lt: doc.meta.version } },
        { $set: fields },
        { upsert: true },
      );
    } catch (err) {
      if (isDuplicateKey(err, '_id')) return;
      throw err;
    }
  }
}

export const userNameKey = (userName: string): string => userName.toLowerCase();

export const toDocument = (state: UserState, provisioning: UserDocument['provisioning']): UserDocument => ({
  _id: state.id,
  tenant: state.tenant,
  userNameKey: userNameKey(state.attributes.userName),
  resource: state.attributes,
  scimDeleted: state.scimDeleted,
  meta: { created: state.created, lastModified: state.lastModified, version: state.version },
  ...(provisioning ? { provisioning } : {}),
});

const toState = (doc: UserDocument | null): UserState | undefined =>
  doc
    ? {
        id: doc._id,
        tenant: doc.tenant,
        attributes: doc.resource,
        scimDeleted: doc.scimDeleted,
        version: doc.meta.version,
        created: doc.meta.created,
        lastModified: doc.meta.lastModified,
        needsResync: Object.values(doc.provisioning?.steps ?? {}).some((s) => s.state !== 'succeeded'),
      }
    : undefined;
