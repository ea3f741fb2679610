import {
  GroupAttributes as GroupAttributesSchema,
  type GroupProperties,
  type PatchOperation,
  type UserAttributes,
  UserAttributes as UserAttributesSchema,
} from '@roster/contracts';
import { ScimError, scimErrors } from '../errors.ts';
import { equalityClauses } from '../filter/equality-clauses.ts';
import { elementMatcher } from '../filter/evaluate.ts';
import { userTooLarge } from '../limits.ts';
import { lookupAttribute, type ResolvedAttribute } from '../schemas/attribute-lookup.ts';
import type { ResourceTypeName } from '../schemas/definitions.ts';
import { validAttributes } from '../schemas/validate.ts';
import { isAssigned, isJsonObject, type JsonObject } from '../values.ts';
import { type MemberPlan, planGroupPatch } from './group-members.ts';

/**
 * Applies normalized PATCH operations (RFC 7644 §3.5.2) to canonical attributes, all or nothing:
 * the result is a new object, or a ScimError and nothing changed.
 *
 * - add: multi-valued → appends the elements not already there (equal up to `display`);
 *   complex → merges sub-attributes; otherwise sets.
 * - replace: multi-valued → replaces the array; complex → merges sub-attributes (§3.5.2.3);
 *   otherwise sets. With a value filter: replaces (or, with `.sub`, updates) the matching elements.
 * - remove: unassigns; with a value filter removes the matching elements (or their `.sub`).
 *   A filter matching nothing is a no-op, so IdP retries stay idempotent.
 * - Deviation from §3.5.2.3 (Entra ID relies on it): add/replace with a value filter that matches
 *   nothing adds a new element built from the filter's `eq` clauses plus the value, e.g.
 *   `replace emails[type eq "work"].value = "x"` on a user without work email adds {type: work, value: x}.
 *   Only when the filter pins nothing with `eq` is it 400 noTarget.
 * - readOnly attributes, and immutable ones that already have a value → 400 mutability.
 * - `primary: true` written on one element clears it on the others.
 * - The result must satisfy the TypeBox schema and the size limits (limits.ts), else 400 invalidValue:
 *   no sequence of PATCHes grows a resource past what one message and one document can hold.
 */

type Operation = PatchOperation;

const nameOf = (operation: Operation) =>
  `${operation.path.attribute}${operation.path.subAttribute ? `.${operation.path.subAttribute}` : ''}`;

/** JSON with object keys in sorted order: equal values (isDeepStrictEqual) give equal text. */
const canonicalJson = (value: unknown): string => {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (!isJsonObject(value)) return JSON.stringify(value) ?? 'undefined';
  const entries = Object.keys(value)
    .sort()
    .map((key) => `${JSON.stringify(key)}:${canonicalJson(value[key])}`);
  return `{${entries.join(',')}}`;
};

/** Elements are the same value when they are equal apart from their human-readable `display`. */
const identityOf = (element: unknown): string => {
  if (!isJsonObject(element)) return canonicalJson(element);
  const { display: _display, ...rest } = element;
  return canonicalJson(rest);
};

const asArray = (value: unknown): unknown[] =>
  Array.isArray(value) ? value : value === undefined ? [] : [value];

/**
 * `existing` followed by the written elements it does not hold yet (no duplicates among them
 * either). Linear, by identity: no element is compared with another.
 */
const appendNew = (existing: readonly unknown[], written: readonly unknown[]): unknown[] => {
  const elements = [...existing];
  const held = new Set(existing.map(identityOf));
  for (const element of written) {
    const identity = identityOf(element);
    if (held.has(identity)) continue;
    held.add(identity);
    elements.push(element);
  }
  return elements;
};

const withoutKey = (object: JsonObject, key: string): JsonObject =>
  Object.fromEntries(Object.entries(object).filter(([name]) => name !== key));

/** Keeps `primary: true` only on the last written element that sets it. */
const enforceSinglePrimary = (elements: unknown[], written: readonly unknown[]): void => {
  const winner = written.findLast((element) => isJsonObject(element) && element.primary === true);
  if (!winner) return;
  for (const element of elements) {
    if (element !== winner && isJsonObject(element) && element.primary === true) element.primary = false;
  }
};

/** Where an operation writes: the object holding the attribute and the attribute's key in it. */
interface Target {
  readonly resolved: ResolvedAttribute;
  readonly holder: JsonObject;
  readonly key: string;
}

class PatchApplier {
  readonly #resourceType: ResourceTypeName;

  constructor(resourceType: ResourceTypeName) {
    this.#resourceType = resourceType;
  }

  apply(resource: JsonObject, operation: Operation): void {
    const target = this.#target(resource, operation);
    this.#checkMutability(target, operation);
    if (operation.path.valueFilter) this.#applyFiltered(target, operation);
    else if (operation.path.subAttribute) this.#applyToSubAttribute(target, operation);
    else this.#applyToAttribute(target, operation);
  }

  #target(resource: JsonObject, operation: Operation): Target {
    const resolved = lookupAttribute(operation.path, this.#resourceType);
    if (!resolved) throw scimErrors.invalidPath(`Unknown attribute '${nameOf(operation)}'`);
    if (
      !resolved.location ||
      resolved.attribute.mutability === 'readOnly' ||
      resolved.definition.mutability === 'readOnly'
    ) {
      throw scimErrors.mutability(`Attribute '${nameOf(operation)}' is read-only`);
    }
    const attributeLocation = operation.path.subAttribute
      ? resolved.location.slice(0, -1)
      : resolved.location;
    let holder = resource;
    for (const segment of attributeLocation.slice(0, -1)) {
      if (!isJsonObject(holder[segment])) holder[segment] = {};
      holder = holder[segment] as JsonObject;
    }
    return { resolved, holder, key: attributeLocation.at(-1)! };
  }

  /** Immutable attributes may only be given a value while they have none (RFC 7644 §3.5.2). */
  #checkMutability({ resolved, holder, key }: Target, operation: Operation): void {
    const immutable =
      resolved.attribute.mutability === 'immutable' || resolved.definition.mutability === 'immutable';
    if (!immutable) return;
    const { subAttribute } = operation.path;
    const selected = this.#selection({ resolved, holder, key }, operation);
    const assigned = subAttribute
      ? asArray(holder[key]).some((e, i) => selected[i] && isJsonObject(e) && isAssigned(e[subAttribute]))
      : isAssigned(holder[key]);
    if (operation.op !== 'add' || assigned) {
      throw scimErrors.mutability(`Attribute '${nameOf(operation)}' is immutable`);
    }
  }

  /** Per element of the attribute, whether the operation's value filter (if any) selects it. */
  #selection({ resolved, holder, key }: Target, operation: Operation): boolean[] {
    const { valueFilter } = operation.path;
    const elements = asArray(holder[key]);
    if (!valueFilter) return elements.map(() => true);
    const parent = { schema: resolved.ref.schema, attribute: resolved.attribute.name };
    return elements.map(elementMatcher(valueFilter, parent, this.#resourceType));
  }

  #applyToAttribute({ resolved, holder, key }: Target, operation: Operation): void {
    const { attribute } = resolved;
    if (operation.op === 'remove') {
      delete holder[key];
    } else if (attribute.multiValued) {
      const written = asArray(operation.value);
      const elements = appendNew(operation.op === 'add' ? asArray(holder[key]) : [], written);
      enforceSinglePrimary(elements, written);
      holder[key] = elements;
    } else if (attribute.type === 'complex' && isJsonObject(operation.value)) {
      holder[key] = { ...(isJsonObject(holder[key]) ? holder[key] : {}), ...operation.value };
    } else {
      holder[key] = operation.value;
    }
  }

  /** `attr.sub` without a filter: a complex attribute's sub-attribute, or that of every element. */
  #applyToSubAttribute({ resolved, holder, key }: Target, operation: Operation): void {
    const sub = operation.path.subAttribute!;
    if (!resolved.attribute.multiValued) {
      const object = isJsonObject(holder[key]) ? holder[key] : {};
      if (operation.op === 'remove') delete object[sub];
      else object[sub] = operation.value;
      holder[key] = object;
      return;
    }
    const elements = asArray(holder[key]).filter(isJsonObject);
    if (operation.op !== 'remove' && elements.length === 0) {
      throw scimErrors.noTarget(`'${key}' has no values to set '${sub}' on`);
    }
    for (const element of elements) {
      if (operation.op === 'remove') delete element[sub];
      else element[sub] = operation.value;
    }
  }

  #applyFiltered({ resolved, holder, key }: Target, operation: Operation): void {
    const { subAttribute } = operation.path;
    if (!resolved.attribute.multiValued) {
      throw scimErrors.invalidPath(`'${key}' is single-valued and cannot take a value filter`);
    }
    const elements = asArray(holder[key]);
    const selected = this.#selection({ resolved, holder, key }, operation);
    if (operation.op === 'remove') {
      holder[key] = subAttribute
        ? elements.map((e, i) => (selected[i] && isJsonObject(e) ? withoutKey(e, subAttribute) : e))
        : elements.filter((_, i) => !selected[i]);
      return;
    }
    const result = selected.includes(true)
      ? elements.map((e, i) => (selected[i] ? this.#rewritten(e, operation) : e))
      : [...elements, this.#elementFromFilter(operation)];
    enforceSinglePrimary(
      result,
      selected.includes(true) ? result.filter((_, i) => selected[i]) : result.slice(-1),
    );
    holder[key] = result;
  }

  #rewritten(element: unknown, operation: Operation): unknown {
    const { subAttribute } = operation.path;
    if (subAttribute) return { ...(isJsonObject(element) ? element : {}), [subAttribute]: operation.value };
    if (operation.op === 'add' && isJsonObject(element) && isJsonObject(operation.value)) {
      return { ...element, ...operation.value };
    }
    return operation.value;
  }

  /** The element a filtered add/replace creates when nothing matches (see the deviation above). */
  #elementFromFilter(operation: Operation): unknown {
    const pinned = equalityClauses(operation.path.valueFilter!);
    if (!pinned) throw scimErrors.noTarget(`No value of '${operation.path.attribute}' matches the filter`);
    const { subAttribute } = operation.path;
    const written = subAttribute ? { [subAttribute]: operation.value } : operation.value;
    return { ...pinned, ...(isJsonObject(written) ? written : {}) };
  }
}

/** Complex values left without sub-attributes (`name: {}`, `enterprise: {}`) are unassigned. */
const withoutEmptyObjects = (object: JsonObject): JsonObject =>
  Object.fromEntries(
    Object.entries(object)
      .map(([key, value]) => [key, isJsonObject(value) ? withoutEmptyObjects(value) : value] as const)
      .filter(([, value]) => !isJsonObject(value) || Object.keys(value).length > 0),
  );

const applyPatch = (
  resource: object,
  operations: readonly Operation[],
  resourceType: ResourceTypeName,
): JsonObject => {
  const applier = new PatchApplier(resourceType);
  const patched = structuredClone(resource) as JsonObject;
  for (const operation of operations) applier.apply(patched, operation);
  return withoutEmptyObjects(patched);
};

const errorOr = <T>(compute: () => T): T | ScimError => {
  try {
    return compute();
  } catch (error) {
    if (error instanceof ScimError) return error;
    throw error;
  }
};

export const patchUserAttributes = (
  user: UserAttributes,
  operations: readonly Operation[],
): UserAttributes | ScimError =>
  errorOr(() => {
    const patched = validAttributes(UserAttributesSchema, applyPatch(user, operations, 'User'));
    return userTooLarge(patched) ?? patched;
  });

/**
 * A group PATCH: its own attributes patched (displayName, externalId) and its members' plan
 * (group-members.ts); the member count it leads to is judged by who knows the group's members.
 */
export const patchGroup = (
  group: GroupProperties,
  operations: readonly Operation[],
): { properties: GroupProperties; members: MemberPlan } | ScimError =>
  errorOr(() => {
    const { attributeOperations, members } = planGroupPatch(operations);
    const patched = applyPatch(group, attributeOperations, 'Group');
    const { members: _none, ...properties } = validAttributes(GroupAttributesSchema, {
      ...patched,
      members: [],
    });
    return { properties, members };
  });
