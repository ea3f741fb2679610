import { type PatchOperation, SCHEMA } from '@roster/contracts';
import { scimErrors } from '../errors.ts';
import { equalityAlternatives } from '../filter/equality-clauses.ts';
import { elementSubAttribute, resolveFilterPath } from '../filter/scope.ts';
import { isJsonObject } from '../values.ts';

/**
 * A group PATCH split in two: the operations on the group's own attributes (displayName,
 * externalId), applied by apply.ts, and what it does to the members, composed in order into a
 * plan over member ids, so that deciding it reads only the members it names however large the
 * group is.
 *
 * Members are changed by value: `add` (ids), `remove` (all of them, or `members[value eq …]`,
 * the form Entra's value-list removal is normalized to), `replace` (the whole list). Their
 * sub-attributes are immutable and not stored (`display` is the user's, read when shown), so any
 * other path or filter on members is 400 (invalidPath / invalidFilter).
 */

export interface MemberPlan {
  /** The plan starts from an empty group (a `replace` or a remove-all): `added` is every member. */
  replaced: boolean;
  /** Ids that are members after the PATCH (in the order named, once each). */
  added: string[];
  /** Ids that are not members after the PATCH (never when `replaced`). */
  removed: string[];
}

export interface GroupPatchPlan {
  /** The operations on the group's own attributes, for patchGroup (apply.ts). */
  attributeOperations: PatchOperation[];
  members: MemberPlan;
}

const isMembersPath = (operation: PatchOperation): boolean =>
  operation.path.schema === SCHEMA.group && operation.path.attribute === 'members';

const memberIdsOf = (value: unknown): string[] =>
  (Array.isArray(value) ? value : value === undefined ? [] : [value]).map((item) => {
    const id = isJsonObject(item) ? item.value : undefined;
    if (typeof id !== 'string' || id.length === 0)
      throw scimErrors.invalidValue("Every member needs a 'value': the id of a User");
    return id;
  });

/** The ids a removal's value filter names: only `value eq "…"`, alone or joined by `or`. */
const removedIds = (operation: PatchOperation): string[] => {
  const filter = operation.path.valueFilter!;
  const alternatives = equalityAlternatives(filter);
  const members = resolveFilterPath({ schema: SCHEMA.group, attribute: 'members' }, 'Group');
  const named =
    alternatives && elementSubAttribute(resolveFilterPath(alternatives.path, 'Group'), members) === 'value';
  if (!named)
    throw scimErrors.invalidFilter(
      'Members are removed by id: members[value eq "…"], several joined by or, or a list of values',
    );
  return alternatives.values;
};

class MemberPlanner {
  #replaced = false;
  readonly #added = new Set<string>();
  readonly #removed = new Set<string>();

  apply(operation: PatchOperation): void {
    const { op, path } = operation;
    if (path.subAttribute)
      throw scimErrors.mutability(`'members.${path.subAttribute}' is immutable: members change by value`);
    if (op === 'remove') {
      if (path.valueFilter) this.#remove(removedIds(operation));
      else this.#replaceWith([]);
      return;
    }
    if (path.valueFilter)
      throw scimErrors.invalidPath(
        `Members are ${op === 'add' ? 'added' : 'replaced'} by value, without a filter`,
      );
    const ids = memberIdsOf(operation.value);
    if (op === 'replace') this.#replaceWith(ids);
    else this.#add(ids);
  }

  plan(): MemberPlan {
    return { replaced: this.#replaced, added: [...this.#added], removed: [...this.#removed] };
  }

  #add(ids: readonly string[]): void {
    for (const id of ids) {
      this.#removed.delete(id);
      this.#added.add(id);
    }
  }

  #remove(ids: readonly string[]): void {
    for (const id of ids) {
      this.#added.delete(id);
      if (!this.#replaced) this.#removed.add(id);
    }
  }

  #replaceWith(ids: readonly string[]): void {
    this.#replaced = true;
    this.#added.clear();
    this.#removed.clear();
    this.#add(ids);
  }
}

/** Splits normalized group PATCH operations (normalize.ts) into attribute operations and a member plan. */
export const planGroupPatch = (operations: readonly PatchOperation[]): GroupPatchPlan => {
  const planner = new MemberPlanner();
  const attributeOperations: PatchOperation[] = [];
  for (const operation of operations) {
    if (isMembersPath(operation)) planner.apply(operation);
    else attributeOperations.push(operation);
  }
  return { attributeOperations, members: planner.plan() };
};
