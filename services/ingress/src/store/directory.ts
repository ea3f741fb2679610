import {
  GROUP_MEMBERS_COLLECTION,
  GROUPS_COLLECTION,
  type GroupDocument,
  type GroupMemberDocument,
  type GroupView,
  USERS_COLLECTION,
  type UserDocument,
} from '@roster/contracts';
import {
  filterToMongo,
  type GroupsOfMember,
  memberIdsNamed,
  parseFilter,
  type ResourceTypeName,
  toMongoSort,
} from '@roster/scim';
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

/** Member users whose display names are read per query (a 100,000-member group takes ten). */
const DISPLAYS_PER_READ = 10_000;

/**
 * Reads the SCIM directory from the status service's read model (users, groups). The ingress
 * never writes these collections; every query is scoped to the caller's tenant.
 */
export class DirectoryReader {
  readonly #users: Collection<UserDocument>;
  readonly #groups: Collection<GroupDocument>;
  readonly #members: Collection<GroupMemberDocument>;
  readonly #workspaces: Workspaces;

  constructor(db: Db, workspaces: Workspaces) {
    this.#users = db.collection<UserDocument>(USERS_COLLECTION);
    this.#groups = db.collection<GroupDocument>(GROUPS_COLLECTION);
    this.#members = db.collection<GroupMemberDocument>(GROUP_MEMBERS_COLLECTION);
    this.#workspaces = workspaces;
  }

  /**
   * Groups as SCIM shows them: with their members (ids, ordered by id) when `withMembers`, read
   * in one query for all of them; without, no member is read at all.
   */
  async withMembers(tenant: string, groups: GroupDocument[], withMembers: boolean): Promise<GroupView[]> {
    const members = new Map<string, { value: string }[]>(groups.map((g) => [g._id, []]));
    if (withMembers && groups.length > 0) {
      const stored = this.#members.find(
        { tenant, groupId: { $in: groups.map((g) => g._id) } },
        { projection: { groupId: 1, userId: 1 }, sort: { _id: 1 } },
      );
      for await (const member of stored) members.get(member.groupId)?.push({ value: member.userId });
    }
    return groups.map((group) => ({
      ...group,
      resource: { ...group.resource, members: members.get(group._id) ?? [] },
    }));
  }

  /**
   * Adds each group's workspace link, read at request time: a pushed group is linked to the
   * workspace whose name equals its displayName exactly, so the answer is always current, also
   * right after a workspace was created or renamed.
   */
  async withWorkspaceLinks<T extends { resource: { displayName: string } }>(
    tenant: string,
    groups: T[],
  ): Promise<(T & Pick<GroupView, 'workspaceLink'>)[]> {
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

  /**
   * Sets each member's `display` (RFC 7643 §4.2) to the member user's displayName, else its
   * userName, read at request time (a rename shows at once; groups never store it). One `$in` read
   * of only those two fields per group's worth of distinct members, never one per member; a member
   * who is no SCIM-visible user any more has no display.
   */
  async withMemberDisplays<T extends GroupView>(tenant: string, groups: T[]): Promise<T[]> {
    const ids = [...new Set(groups.flatMap((group) => group.resource.members.map((member) => member.value)))];
    const displays = new Map<string, string>();
    for (let start = 0; start < ids.length; start += DISPLAYS_PER_READ) {
      const users = this.#users.find(
        { tenant, scimDeleted: false, _id: { $in: ids.slice(start, start + DISPLAYS_PER_READ) } },
        { projection: { 'resource.displayName': 1, 'resource.userName': 1 } },
      );
      for await (const user of users)
        displays.set(user._id, user.resource.displayName || user.resource.userName);
    }
    return groups.map((group) => ({
      ...group,
      resource: {
        ...group.resource,
        members: group.resource.members.map(({ value }) => {
          const display = displays.get(value);
          return display === undefined ? { value } : { value, display };
        }),
      },
    }));
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

  async listGroups(tenant: string, query: ListQuery): Promise<Page<GroupDocument>> {
    return list(this.#groups, { tenant }, query, 'Group', (filter) => this.#groupsOfMembers(tenant, filter));
  }

  /** The groups of each user a Group filter names as a member: one read of those users' memberships. */
  async #groupsOfMembers(tenant: string, filter: ParsedFilter): Promise<GroupsOfMember> {
    const userIds = [...new Set(memberIdsNamed(filter))];
    const groups = new Map<string, string[]>(userIds.map((id) => [id, []]));
    if (userIds.length === 0) return groups;
    const memberships = this.#members.find(
      { tenant, userId: { $in: userIds } },
      { projection: { groupId: 1, userId: 1 } },
    );
    for await (const membership of memberships) groups.get(membership.userId)?.push(membership.groupId);
    return groups;
  }
}

type ParsedFilter = ReturnType<typeof parseFilter>;

const list = async <T extends Document>(
  collection: Collection<T>,
  scope: Record<string, unknown>,
  query: ListQuery,
  resourceType: ResourceTypeName,
  groupsOfMembers?: (filter: ParsedFilter) => Promise<GroupsOfMember>,
): Promise<Page<T>> => {
  const parsed = query.filter ? parseFilter(query.filter, resourceType) : undefined;
  const condition = parsed ? filterToMongo(parsed, resourceType, await groupsOfMembers?.(parsed)) : undefined;
  const where = (condition ? { $and: [scope, condition] } : scope) as Filter<T>;
  const sort = toMongoSort(query.sortBy, query.sortOrder, resourceType);
  if (query.count === 0) return { totalResults: await collection.countDocuments(where), resources: [] };
  const resources = await collection
    .find(where, { sort, skip: query.startIndex - 1, limit: query.count })
    .toArray();
  // A page that is not full, and not past the end, is the last one: it tells the total without a
  // count (the common IdP lookup, `userName eq "…"`, costs one query, not two).
  const lastPage = resources.length < query.count && (resources.length > 0 || query.startIndex === 1);
  const totalResults = lastPage
    ? query.startIndex - 1 + resources.length
    : await collection.countDocuments(where);
  return { totalResults, resources: resources as T[] };
};
