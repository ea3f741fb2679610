import { randomUUID } from 'node:crypto';
import { WORKSPACES_COLLECTION, type WorkspaceDocument } from '@roster/contracts';
import type { Collection, Db } from 'mongodb';

export interface RenamedWorkspace {
  workspace: WorkspaceDocument;
  previousName: string;
}

/** The workspaces of each organization (written only by the admin API; names are unique per org). */
export class Workspaces {
  readonly #workspaces: Collection<WorkspaceDocument>;

  constructor(db: Db) {
    this.#workspaces = db.collection<WorkspaceDocument>(WORKSPACES_COLLECTION);
  }

  async ensureIndexes(): Promise<void> {
    await this.#workspaces.createIndexes([
      { key: { tenant: 1, name: 1 }, name: 'tenant_name', unique: true },
      { key: { tenant: 1, isDefault: 1 }, name: 'tenant_default' },
    ]);
  }

  /** Creates a workspace; a new default workspace demotes the previous one. */
  async create(
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
      await this.#workspaces.updateMany({ tenant, isDefault: true }, { $set: { isDefault: false } });
    await this.#workspaces.insertOne(workspace);
    return workspace;
  }

  list(tenant: string): Promise<WorkspaceDocument[]> {
    return this.#workspaces.find({ tenant }, { sort: { createdAt: 1 } }).toArray();
  }

  /** Renames a workspace of the org; undefined when it has none of that id. */
  async rename(tenant: string, id: string, name: string): Promise<RenamedWorkspace | undefined> {
    const previous = await this.#workspaces.findOne({ _id: id, tenant });
    const workspace = await this.#workspaces.findOneAndUpdate(
      { _id: id, tenant },
      { $set: { name } },
      { returnDocument: 'after' },
    );
    return previous && workspace ? { workspace, previousName: previous.name } : undefined;
  }

  /** The id of each of the org's workspaces that bears one of `names`, by name. */
  async idsByName(tenant: string, names: string[]): Promise<Map<string, string>> {
    const workspaces = await this.#workspaces
      .find({ tenant, name: { $in: names } }, { projection: { _id: 1, name: 1 } })
      .toArray();
    return new Map(workspaces.map((w) => [w.name, w._id]));
  }
}
