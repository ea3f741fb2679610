import { type AttributeRef, type Filter, SCHEMA } from '@roster/contracts';
import { scimErrors } from '../errors.ts';
import { equalityAlternatives } from './equality-clauses.ts';
import { elementSubAttribute, resolveFilterPath } from './scope.ts';

/**
 * A group's members are documents of their own (read-model.ts), not a field of the group: a
 * filter names them as `members.value eq "id"` (also `members eq "id"` and `members[value eq "id"
 * or …]`), answered through the groups each named user is a member of, which the caller reads
 * first (`memberIdsNamed`), or as `members pr`. Other member filters are 400 invalidFilter.
 */

/** For each user id a filter names as a member, the ids of the groups it is a member of. */
export type GroupsOfMember = ReadonlyMap<string, readonly string[]>;

const notSupported = () =>
  scimErrors.invalidFilter('Group members are filtered by id only: members.value eq "…" or members pr');

const isMembers = (ref: AttributeRef): boolean => {
  const resolved = resolveFilterPath(ref, 'Group');
  return resolved.ref.schema === SCHEMA.group && resolved.attribute.name === 'members';
};

const namesValue = (ref: AttributeRef): boolean => {
  const resolved = resolveFilterPath(ref, 'Group');
  return resolved.definition === resolved.attribute || resolved.definition.name === 'value';
};

/** The ids `members[…]` accepts: only `value eq` comparisons joined by `or`. */
const elementIds = (filter: Filter): string[] => {
  const alternatives = equalityAlternatives(filter);
  const members = resolveFilterPath({ schema: SCHEMA.group, attribute: 'members' }, 'Group');
  if (
    !alternatives ||
    elementSubAttribute(resolveFilterPath(alternatives.path, 'Group'), members) !== 'value'
  )
    throw notSupported();
  return alternatives.values;
};

/** The ids a node of a Group filter names as members; undefined when it is not about members. */
const idsOf = (filter: Filter): string[] | undefined => {
  if (filter.kind === 'valuePath') return isMembers(filter.path) ? elementIds(filter.filter) : undefined;
  if (filter.kind !== 'compare' || !isMembers(filter.path)) return undefined;
  if (filter.op !== 'eq' || typeof filter.value !== 'string' || !namesValue(filter.path))
    throw notSupported();
  return [filter.value];
};

/** Every user id a Group filter names as a member (the caller looks up their groups). */
export const memberIdsNamed = (filter: Filter): string[] => {
  const ids: string[] = [];
  const pending = [filter];
  for (let next = pending.pop(); next; next = pending.pop()) {
    if (next.kind === 'and' || next.kind === 'or') pending.push(next.left, next.right);
    else if (next.kind === 'not') pending.push(next.filter);
    else ids.push(...(idsOf(next) ?? []));
  }
  return ids;
};

/** The MongoDB condition of a member node of a Group filter; undefined for any other node. */
export const memberCondition = (
  filter: Filter,
  groupsOfMember: GroupsOfMember,
): Record<string, unknown> | undefined => {
  if (filter.kind === 'present' && isMembers(filter.path)) {
    if (!namesValue(filter.path)) throw notSupported();
    return { memberCount: { $gt: 0 } };
  }
  const ids = idsOf(filter);
  if (!ids) return undefined;
  return { _id: { $in: [...new Set(ids.flatMap((id) => groupsOfMember.get(id) ?? []))] } };
};
