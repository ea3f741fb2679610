import { randomUUID } from 'node:crypto';
import {
  DEFAULT_ROLE_TYPE,
  type License,
  ORGANIZATIONS_COLLECTION,
  type OrganizationDocument,
} from '@roster/contracts';
import type { ClientSession, Collection, Db } from 'mongodb';

export interface NewOrganization {
  name: string;
  domains: string[];
  autoCapture: boolean;
  ssoConfigured: boolean;
  defaultLicense: License;
  roleType?: string;
  seatLimits?: Partial<Record<License, number>>;
}

/** Organizations and their settings (written only by the admin API). */
export class Organizations {
  readonly #orgs: Collection<OrganizationDocument>;

  constructor(db: Db) {
    this.#orgs = db.collection<OrganizationDocument>(ORGANIZATIONS_COLLECTION);
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
    await this.#orgs.insertOne(org);
    return org;
  }

  /** The organization; with a session, as the caller's transaction sees it. */
  get(id: string, session?: ClientSession): Promise<OrganizationDocument | null> {
    return this.#orgs.findOne({ _id: id }, { session });
  }

  /** Changes settings in the caller's transaction; the settings as they are after, or null for an unknown org. */
  update(
    session: ClientSession,
    id: string,
    changes: Partial<NewOrganization>,
  ): Promise<OrganizationDocument | null> {
    return this.#orgs.findOneAndUpdate({ _id: id }, { $set: changes }, { returnDocument: 'after', session });
  }
}
