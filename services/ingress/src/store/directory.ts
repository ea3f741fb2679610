import {
  GROUPS_COLLECTION,
  type GroupDocument,
  USERS_COLLECTION,
  type UserDocument,
} from '@roster/contracts';
import { filterToMongo, parseFilter, type ResourceTypeName, toMongoSort } from '@roster/scim';
import type { Collection, Db, Document, Filter } from 'mongodb';
import type { Workspaces } from './workspaces.ts';

export interface ListQuery {
  filter?: string;
  sortBy?: string;
  sortOrder?: string;
  /** 1-based (RFC 7644 §3.4.2.4). */
  startIndex: number;
  count: number;
}

export interface Page<T> {
  totalResults: number;
  resources: T[];
}

/**
 * Reads the SCIM directory from the status service's read model (users, groups). The ingress
 * never writes these collections; every query is scoped to the caller's tenant.
 */
export class DirectoryReader {
  readonly #users: Collection<UserDocument>;
  readonly #groups: Collection<GroupDocument>;
  readonly #workspaces: Workspaces;

  constructor(db: Db, workspaces: Workspaces) {
    this.#users = db.collection<UserDocument>(USERS_COLLECTION);
    this.#groups = db.collection<GroupDocument>(GROUPS_COLLECTION);
    this.#workspaces = workspaces;
  }

  /**
   * Adds each group's workspace link, read at request time: a pushed group is linked to the
   * workspace whose name equals its displayName exactly, so the answer is always current, also
   * right after a workspace was created or renamed.
   */
  async withWorkspaceLinks<T extends GroupDocument>(tenant: string, groups: T[]): Promise<T[]> {
    if (groups.length === 0) return groups;
    const names = [...new Set(groups.map((g) => g.resource.displayName))];
    const byName = await this.#workspaces.idsByName(tenant, names);
    return groups.map((group) => {
      const workspaceId = byName.get(group.resource.displayName);
      return {
        ...group,
        workspaceLink: workspaceId ? { state: 'linked', workspaceId } : { state: 'unlinked' },
      };
    });
  }

  user(tenant: string, id: string): Promise<UserDocument | null> {
    return this.#users.findOne({ _id: id, tenant, scimDeleted: false });
  }

  /** A user whatever its SCIM state, a SCIM-deleted one too (the admin API shows its provisioning). */
  userIncludingDeleted(tenant: string, id: string): Promise<UserDocument | null> {
    return this.#users.findOne({ _id: id, tenant });
  }

  group(tenant: string, id: string): Promise<GroupDocument | null> {
    return this.#groups.findOne({ _id: id, tenant });
  }

  listUsers(tenant: string, query: ListQuery): Promise<Page<UserDocument>> {
    return list(this.#users, { tenant, scimDeleted: false }, query, 'User');
  }

  listGroups(tenant: string, query: ListQuery, withMembers: boolean): Promise<Page<GroupDocument>> {
    return list(
      this.#groups,
      { tenant },
      query,
      'Group',
      withMembers ? undefined : { 'resource.members': 0 },
    );
  }
}

const list = async <T extends Document>(
  collection: Collection<T>,
  scope: Record<string, unknown>,
  query: ListQuery,
  resourceType: ResourceTypeName,
  projection?: Document,
): Promise<Page<T>> => {
  const condition = query.filter
    ? filterToMongo(parseFilter(query.filter, resourceType), resourceType)
    : undefined;
  const where = (condition ? { $and: [scope, condition] } : scope) as Filter<T>;
  const sort = toMongoSort(query.sortBy, query.sortOrder, resourceType);
  const [totalResults, resources] = await Promise.all([
    collection.countDocuments(where),
    query.count === 0
      ? Promise.resolve([])
      : collection
          .find(where, {
            sort,
            skip: query.startIndex - 1,
            limit: query.count,
            ...(projection ? { projection } : {}),
          })
          .toArray(),
  ]);
  return { totalResults, resources: resources as T[] };
};
