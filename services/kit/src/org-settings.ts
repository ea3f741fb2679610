import { DEFAULT_ROLE_TYPE, ORGANIZATIONS_COLLECTION, type OrganizationDocument } from '@roster/contracts';
import type { Collection, Db } from 'mongodb';

const CACHE_MS = 5_000;

/**
 * Read-only view of org settings for services that are not their writer (the admin API is);
 * cached for a few seconds since settings rarely change and every SCIM call needs them.
 */
export class OrganizationSettings {
  readonly #collection: Collection<OrganizationDocument>;
  readonly #cache = new Map<string, { org: OrganizationDocument | null; at: number }>();

  constructor(db: Db) {
    this.#collection = db.collection<OrganizationDocument>(ORGANIZATIONS_COLLECTION);
  }

  async get(tenant: string): Promise<OrganizationDocument | null> {
    const cached = this.#cache.get(tenant);
    if (cached && Date.now() - cached.at < CACHE_MS) return cached.org;
    const org = await this.#collection.findOne({ _id: tenant });
    this.#cache.set(tenant, { org, at: Date.now() });
    return org;
  }

  async roleType(tenant: string): Promise<string> {
    return (await this.get(tenant))?.roleType ?? DEFAULT_ROLE_TYPE;
  }
}
