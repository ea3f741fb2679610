import { randomUUID } from 'node:crypto';
import { WORKSPACES_COLLECTION, type WorkspaceDocument } from '@roster/contracts';
import { isDuplicateKey } from '@roster/service-kit';
import type { ClientSession, Collection, Db } from 'mongodb';

export interface RenamedWorkspace {
  workspace: WorkspaceDocument;
  previousName: string;
}

const INDEX_NOT_FOUND = 27;

/**
 * The workspaces of each organization (written only by the admin API; names are unique per org).
 * An org has at most one default workspace, enforced by a unique partial index: the first one is
 * created with `isDefault`, and a new default demotes the previous one in the same transaction,
 * so from then on the org has exactly one. (Workspaces are never deleted; a rename keeps the flag.)
 */
export class Workspaces {
  readonly #workspaces: Collection<WorkspaceDocument>;

  constructor(db: Db) {
    this.#workspaces = db.collection<WorkspaceDocument>(WORKSPACES_COLLECTION);
  }

  async ensureIndexes(): Promise<void> {
    await this.#workspaces.createIndex({ tenant: 1, name: 1 }, { name: 'tenant_name', unique: true });
    await this.#ensureOneDefault();
  }

  /**
   * The at-most-one-default index. Orgs that an earlier version left with several defaults (two
   * concurrent creations) keep the newest, the one membership already treats as the default.
   */
  async #ensureOneDefault(): Promise<void> {
    const create = () =>
      this.#workspaces.createIndex(
        { tenant: 1 },
        { name: 'one_default', unique: true, partialFilterExpression: { isDefault: true } },
      );
    try {
      await create();
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
      await this.#demoteAllButNewestDefault();
      await create();
    }
    // The plain (tenant, isDefault) index it replaces.
    await this.#workspaces.dropIndex('tenant_default').catch((err: unknown) => {
      if ((err as { code?: unknown }).code !== INDEX_NOT_FOUND) throw err;
    });
  }

  async #demoteAllButNewestDefault(): Promise<void> {
    const defaults = await this.#workspaces
      .find({ isDefault: true }, { sort: { createdAt: -1, _id: 1 }, projection: { _id: 1, tenant: 1 } })
      .toArray();
    const kept = new Set<string>();
    const demoted: string[] = [];
    for (const workspace of defaults) {
      if (kept.has(workspace.tenant)) demoted.push(workspace._id);
      else kept.add(workspace.tenant);
    }
    await this.#workspaces.updateMany({ _id: { $in: demoted } }, { $set: { isDefault: false } });
  }

  /** Creates a workspace in the caller's transaction; a new default demotes the previous one. */
  async create(
    session: ClientSession,
    tenant: string,
    name: string,
    isDefault: boolean,
    now = new Date(),
  ): Promise<WorkspaceDocument> {
    const workspace: WorkspaceDocument = {
      _id: randomUUID(),
      tenant,
      name,
      isDefault,
      createdAt: now.toISOString(),
    };
    if (isDefault)
      await this.#workspaces.updateMany(
        { tenant, isDefault: true },
        { $set: { isDefault: false } },
        { session },
      );
    await this.#workspaces.insertOne(workspace, { session });
    return workspace;
  }

  list(tenant: string): Promise<WorkspaceDocument[]> {
    return this.#workspaces.find({ tenant }, { sort: { createdAt: 1 } }).toArray();
  }

  /** Renames a workspace of the org in the caller's transaction; undefined when it has none of that id. */
  async rename(
    session: ClientSession,
    tenant: string,
    id: string,
    name: string,
  ): Promise<RenamedWorkspace | undefined> {
    const previous = await this.#workspaces.findOneAndUpdate(
      { _id: id, tenant },
      { $set: { name } },
      { returnDocument: 'before', session },
    );
    return previous ? { workspace: { ...previous, name }, previousName: previous.name } : undefined;
  }

  /** The id of each of the org's workspaces that bears one of `names`, by name. */
  async idsByName(tenant: string, names: string[]): Promise<Map<string, string>> {
    const workspaces = await this.#workspaces
      .find({ tenant, name: { $in: names } }, { projection: { _id: 1, name: 1 } })
      .toArray();
    return new Map(workspaces.map((w) => [w.name, w._id]));
  }
}
