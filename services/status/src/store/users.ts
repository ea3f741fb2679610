import { type ProvisioningView, USERS_COLLECTION, type UserDocument } from '@roster/contracts';
import type { ClientSession, Collection, Db } from 'mongodb';
import type { UserState } from '../domain/users/state.ts';
import { dropIfUniquenessDiffers } from './indexes.ts';
import { StaleDecision } from './stale-decision.ts';

const EXTERNAL_ID_INDEX = 'tenant_externalId';

/** What deciding a command reads of the users (the collection, or a batch's view of it). */
export type UserReads = Pick<UsersDirectory, 'byId' | 'byUserName' | 'visibleIds'>;

/** The status service's `users` collection: the SCIM directory's users (it is their only writer). */
export class UsersDirectory {
  readonly #users: Collection<UserDocument>;

  constructor(db: Db) {
    this.#users = db.collection<UserDocument>(USERS_COLLECTION);
  }

  /**
   * userName is unique per organization (case-insensitively, through `userNameKey`); externalId is
   * only indexed for `externalId eq` lookups (RFC 7643 §3.1 gives it no uniqueness). Earlier
   * versions made that index unique: on an upgraded deployment it is replaced by the plain one.
   */
  async ensureIndexes(): Promise<void> {
    await this.#users.createIndex({ tenant: 1, userNameKey: 1 }, { name: 'tenant_userName', unique: true });
    await dropIfUniquenessDiffers(this.#users, EXTERNAL_ID_INDEX, false);
    await this.#users.createIndex(
      { tenant: 1, 'resource.externalId': 1 },
      { name: EXTERNAL_ID_INDEX, partialFilterExpression: { 'resource.externalId': { $exists: true } } },
    );
  }

  async byId(tenant: string, id: string): Promise<UserState | undefined> {
    return toState(await this.document(tenant, id));
  }

  /** The stored document, provisioning view included. */
  document(tenant: string, id: string): Promise<UserDocument | null> {
    return this.#users.findOne({ _id: id, tenant });
  }

  /**
   * The stored documents of users, each only if it belongs to the tenant that asks for it (ids are
   * unique across tenants; the tenant is checked on every document all the same).
   */
  async documents(wanted: readonly { tenant: string; id: string }[]): Promise<Map<string, UserDocument>> {
    if (wanted.length === 0) return new Map();
    const tenantOf = new Map(wanted.map(({ tenant, id }) => [id, tenant]));
    const found = await this.#users.find({ _id: { $in: [...tenantOf.keys()] } }).toArray();
    return new Map(found.filter((doc) => tenantOf.get(doc._id) === doc.tenant).map((doc) => [doc._id, doc]));
  }

  /** Replaces the provisioning views folded from step outcomes, with one write (the resources are left as they are). */
  async setProvisioning(
    views: readonly { tenant: string; id: string; provisioning: ProvisioningView }[],
  ): Promise<void> {
    if (views.length === 0) return;
    await this.#users.bulkWrite(
      views.map(({ tenant, id, provisioning }) => ({
        updateOne: { filter: { _id: id, tenant }, update: { $set: { provisioning } } },
      })),
      { ordered: false },
    );
  }

  /** The users of `tenant` among `ids`, by id (with one read). */
  async byIds(tenant: string, ids: readonly string[]): Promise<Map<string, UserState>> {
    if (ids.length === 0) return new Map();
    const found = await this.#users.find({ _id: { $in: [...new Set(ids)] }, tenant }).toArray();
    return new Map(found.map((doc) => [doc._id, toState(doc)!]));
  }

  /** The users of `tenant` holding these userNames (case-insensitively), by userName key (with one read). */
  async byUserNames(tenant: string, userNames: readonly string[]): Promise<Map<string, UserState>> {
    if (userNames.length === 0) return new Map();
    const keys = [...new Set(userNames.map(userNameKey))];
    const found = await this.#users.find({ tenant, userNameKey: { $in: keys } }).toArray();
    return new Map(found.map((doc) => [doc.userNameKey, toState(doc)!]));
  }

  /** The user holding `userName` (case-insensitively), whatever its state: active, deactivated or SCIM-deleted. */
  async byUserName(tenant: string, userName: string): Promise<UserState | undefined> {
    return toState(await this.#users.findOne({ tenant, userNameKey: userNameKey(userName) }));
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
   * Writes decided users within `session`, in their order, with one bulk write: a new user
   * (`expectedVersion` undefined) is inserted, an existing one is updated only while it still has
   * the version the decision was made against (which may be an earlier write of the same call).
   * Throws StaleDecision when one moved on (the transaction then writes nothing), the driver's
   * DuplicateKey when another user holds a userName.
   */
  async writeAll(
    writes: readonly { doc: UserDocument; expectedVersion: number | undefined }[],
    session: ClientSession,
  ): Promise<void> {
    if (writes.length === 0) return;
    // $set, not replace: the provisioning view beside the resource is folded from step outcomes.
    const operations = writes.map(({ doc, expectedVersion }) => {
      const { _id, provisioning: _, ...fields } = doc;
      return expectedVersion === undefined
        ? { insertOne: { document: { _id, ...fields } } }
        : {
            updateOne: {
              filter: { _id, tenant: doc.tenant, 'meta.version': expectedVersion },
              update: { $set: fields },
            },
          };
    });
    const updates = operations.filter((operation) => 'updateOne' in operation).length;
    const written = await this.#users.bulkWrite(operations, { session, ordered: true });
    if (written.matchedCount < updates)
      throw new StaleDecision(
        `${updates - written.matchedCount} of ${updates} users are no longer at the version decided on`,
      );
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

export const toState = (doc: UserDocument | null): UserState | undefined =>
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
