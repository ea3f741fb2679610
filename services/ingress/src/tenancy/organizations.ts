import { randomUUID } from 'node:crypto';
import {
  DEFAULT_ROLE_TYPE,
  type License,
  ORGANIZATIONS_COLLECTION,
  type OrganizationDocument,
  WORKSPACES_COLLECTION,
  type WorkspaceDocument,
} from '@roster/contracts';
import type { Collection, Db } from 'mongodb';

export interface NewOrganization {
  name: string;
  domains: string[];
  autoCapture: boolean;
  ssoConfigured: boolean;
  defaultLicense: License;
  roleType?: string;
  seatLimits?: Partial<Record<License, number>>;
}

/** Organizations and their workspaces (written only by the admin API). */
export class Organizations {
  readonly orgs: Collection<OrganizationDocument>;
  readonly workspaces: Collection<WorkspaceDocument>;

  constructor(db: Db) {
    this.orgs = db.collection<OrganizationDocument>(ORGANIZATIONS_COLLECTION);
    this.workspaces = db.collection<WorkspaceDocument>(WORKSPACES_COLLECTION);
  }

  async ensureIndexes(): Promise<void> {
    await this.workspaces.createIndexes([
      { key: { tenant: 1, name: 1 }, name: 'tenant_name', unique: true },
      { key: { tenant: 1, isDefault: 1 }, name: 'tenant_default' },
    ]);
  }

  async create(input: NewOrganization, now = new Date()): Promise<OrganizationDocument> {
    const org: OrganizationDocument = {
      _id: randomUUID(),
      name: input.name,
      domains: input.domains.map((d) => d.toLowerCase()),
      autoCapture: input.autoCapture,
      ssoConfigured: input.ssoConfigured,
      defaultLicense: input.defaultLicense,
      roleType: input.roleType ?? DEFAULT_ROLE_TYPE,
      seatLimits: input.seatLimits ?? {},
      createdAt: now.toISOString(),
    };
    await this.orgs.insertOne(org);
    return org;
  }

  get(id: string): Promise<OrganizationDocument | null> {
    return this.orgs.findOne({ _id: id });
  }

  async update(id: string, changes: Partial<NewOrganization>): Promise<OrganizationDocument | null> {
    return this.orgs.findOneAndUpdate({ _id: id }, { $set: changes }, { returnDocument: 'after' });
  }

  /** Creates a workspace; a new default workspace demotes the previous one. */
  async createWorkspace(
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
      await this.workspaces.updateMany({ tenant, isDefault: true }, { $set: { isDefault: false } });
    await this.workspaces.insertOne(workspace);
    return workspace;
  }

  listWorkspaces(tenant: string): Promise<WorkspaceDocument[]> {
    return this.workspaces.find({ tenant }, { sort: { createdAt: 1 } }).toArray();
  }

  renameWorkspace(tenant: string, id: string, name: string): Promise<WorkspaceDocument | null> {
    return this.workspaces.findOneAndUpdate(
      { _id: id, tenant },
      { $set: { name } },
      { returnDocument: 'after' },
    );
  }
}
