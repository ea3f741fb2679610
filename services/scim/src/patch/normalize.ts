import { type Filter, type PatchOperation, type PatchPath, SCHEMA } from '@roster/contracts';
import { scimErrors } from '../errors.ts';
import { filterComparisons, joined } from '../filter/combine.ts';
import { equalityAlternatives, equalityClauses } from '../filter/equality-clauses.ts';
import { parsePatchPath } from '../filter/parser.ts';
import { checkBodyDepth, checkItemCount, checkPatchOperationCount, checkString, LIMITS } from '../limits.ts';
import { checkSchemas, MESSAGE } from '../messages.ts';
import { checkLicense, checkRole, type UserRuleOptions } from '../resources/user-rules.ts';
import {
  lookupAttribute,
  type ResolvedAttribute,
  resolveAttribute,
  schemaByUrn,
} from '../schemas/attribute-lookup.ts';
import { coerceAttributeValue, coerceSingleValue } from '../schemas/coerce.ts';
import type { ResourceTypeName } from '../schemas/definitions.ts';
import { isJsonObject, type JsonObject, member } from '../values.ts';

/**
 * A SCIM PatchOp body (RFC 7644 §3.5.2) → normalized PatchOperation[] (lower-case ops, parsed
 * paths, typed values, no path-less operations), absorbing both IdPs' dialects:
 * - Entra: `Add`/`Replace`/`Remove`, "True"/"False", enterprise URN paths, the manager as a bare id,
 *   member removal as `{"op":"Remove","path":"members","value":[{"value":"id"}]}` (becomes a
 *   value filter `value eq "id" or …`). Entra's `?aadOptscim062020` flag only switches Entra to the
 *   standard forms accepted here anyway, so the HTTP layer can ignore it.
 * - Okta: `{"op":"replace","value":{"active":false}}` without path (expanded per attribute),
 *   members added without `type`, `members[value eq "…"]` removal, `replace members []`.
 * Path-less values may use attribute names, URN-keyed extension objects and URN-qualified or dotted
 * names; unknown and read-only names there are ignored like in POST bodies. An explicit unknown
 * `path` is an error (400 invalidPath); mutability is enforced when applying (apply.ts).
 */

type Op = PatchOperation['op'];

const OPS: readonly Op[] = ['add', 'replace', 'remove'];

const operationName = (raw: unknown, index: number): Op => {
  const op = typeof raw === 'string' ? (raw.toLowerCase() as Op) : undefined;
  if (op && OPS.includes(op)) return op;
  throw scimErrors.invalidSyntax(
    `Operations[${index}].op ${JSON.stringify(raw)} is not one of add, replace, remove`,
  );
};

const labelOf = (path: PatchPath) =>
  [path.attribute, path.valueFilter ? '[…]' : '', path.subAttribute ? `.${path.subAttribute}` : ''].join('');

const resolvedTarget = (path: PatchPath, resourceType: ResourceTypeName): ResolvedAttribute =>
  lookupAttribute(path, resourceType)!;

/**
 * A value filter `value eq "a" or value eq "b"` selecting the listed elements (Entra's member
 * removal), balanced so that a thousand ids stay a shallow tree; applied as one Set lookup.
 */
const elementsFilter = (path: PatchPath, raw: unknown): Filter | undefined => {
  const elements = Array.isArray(raw) ? raw : [raw];
  checkItemCount(elements.length, path.attribute);
  const ref = { schema: path.schema, attribute: path.attribute, subAttribute: 'value' };
  const comparisons = elements.map((element): Filter => {
    const value = isJsonObject(element) ? member(element, 'value') : element;
    if (typeof value !== 'string') {
      throw scimErrors.invalidValue(`Removing from '${path.attribute}' needs elements with a string value`);
    }
    checkString(value, `${path.attribute}.value`);
    return { kind: 'compare', path: ref, op: 'eq', value };
  });
  return comparisons.length > 0 ? joined('or', comparisons) : undefined;
};

const removal = (path: PatchPath, raw: unknown, resourceType: ResourceTypeName): PatchOperation[] => {
  const { attribute } = resolvedTarget(path, resourceType);
  const selectsElements =
    raw !== undefined && raw !== null && !path.valueFilter && !path.subAttribute && attribute.multiValued;
  if (!selectsElements || !attribute.subAttributes?.some((s) => s.name === 'value'))
    return [{ op: 'remove', path }];
  const valueFilter = elementsFilter(path, raw);
  return valueFilter ? [{ op: 'remove', path: { ...path, valueFilter } }] : [];
};

/** add/replace: the value typed for the target; null (unassigned, RFC 7643 §2.5) becomes a remove. */
const write = (op: Op, path: PatchPath, raw: unknown, resourceType: ResourceTypeName): PatchOperation => {
  const { definition, attribute } = resolvedTarget(path, resourceType);
  const single = definition !== attribute || path.valueFilter !== undefined;
  const value = single
    ? coerceSingleValue(definition, raw, labelOf(path))
    : coerceAttributeValue(definition, raw, labelOf(path));
  return value === undefined ? { op: 'remove', path } : { op, path, value };
};

const operationsAt = (
  op: Op,
  path: PatchPath,
  raw: unknown,
  resourceType: ResourceTypeName,
): PatchOperation[] =>
  op === 'remove' ? removal(path, raw, resourceType) : [write(op, path, raw, resourceType)];

/** The path a path-less value key names, or undefined when it is unknown or read-only (ignored). */
const pathOfKey = (key: string, resourceType: ResourceTypeName): PatchPath | undefined => {
  const resolved = resolveAttribute(key.split('[')[0]!, resourceType);
  if (
    !resolved ||
    resolved.attribute.mutability === 'readOnly' ||
    resolved.definition.mutability === 'readOnly'
  ) {
    return undefined;
  }
  return parsePatchPath(key, resourceType);
};

/** A path-less add/replace: one operation per attribute of the value object. */
const expand = (op: Op, value: JsonObject, resourceType: ResourceTypeName): PatchOperation[] =>
  Object.entries(value).flatMap(([key, raw]) => {
    if (key.toLowerCase() === 'schemas') return [];
    const schema = schemaByUrn(key, resourceType);
    if (schema) {
      if (!isJsonObject(raw)) throw scimErrors.invalidSyntax(`'${key}' must be an object of attributes`);
      const qualified = Object.entries(raw).map(([name, inner]) => [`${schema.id}:${name}`, inner]);
      return expand(op, Object.fromEntries(qualified), resourceType);
    }
    const path = pathOfKey(key, resourceType);
    return path ? operationsAt(op, path, raw, resourceType) : [];
  });

const normalizeOperation = (
  raw: unknown,
  index: number,
  resourceType: ResourceTypeName,
): PatchOperation[] => {
  if (!isJsonObject(raw)) throw scimErrors.invalidSyntax(`Operations[${index}] must be an object`);
  const op = operationName(member(raw, 'op'), index);
  const path = member(raw, 'path');
  const value = member(raw, 'value');
  if (path === undefined || path === null || path === '') {
    if (op === 'remove') throw scimErrors.noTarget(`Operations[${index}]: remove requires a path`);
    if (!isJsonObject(value))
      throw scimErrors.invalidSyntax(`Operations[${index}]: ${op} without a path needs an object value`);
    return expand(op, value, resourceType);
  }
  if (typeof path !== 'string') throw scimErrors.invalidPath(`Operations[${index}].path must be a string`);
  if (schemaByUrn(path, resourceType) && op !== 'remove') return expand(op, { [path]: value }, resourceType);
  return operationsAt(op, parsePatchPath(path, resourceType), value, resourceType);
};

/** The roles an operation writes, as far as can be told without the stored user. */
const writtenRoles = (operation: PatchOperation): JsonObject[] => {
  const { path, value } = operation;
  const pinned = path.valueFilter ? (equalityClauses(path.valueFilter) ?? {}) : {};
  if (path.subAttribute) return [{ ...pinned, [path.subAttribute]: value }];
  const elements = Array.isArray(value) ? value : [value];
  return elements.filter(isJsonObject).map((element) => ({ ...pinned, ...element }));
};

/** A value filter is applied to every element: unless it is a plain list of ids, it must stay small. */
const checkValueFilterWork = ({ path }: PatchOperation): void => {
  const filter = path.valueFilter;
  if (!filter || equalityAlternatives(filter)) return;
  if (filterComparisons(filter) > LIMITS.maxValueFilterComparisons) {
    throw scimErrors.tooMany(
      `A value filter on '${path.attribute}' may hold at most ${LIMITS.maxValueFilterComparisons} comparisons unless it only lists values (value eq "…" or …)`,
    );
  }
};

const checkUserRules = (operation: PatchOperation, options: UserRuleOptions): void => {
  if (operation.op === 'remove' || operation.path.schema !== SCHEMA.user) return;
  if (operation.path.attribute === 'userType') checkLicense(operation.value);
  if (operation.path.attribute === 'roles')
    for (const role of writtenRoles(operation)) checkRole(role, options);
};

export const normalizePatch = (
  body: unknown,
  resourceType: ResourceTypeName,
  options: UserRuleOptions = {},
): PatchOperation[] => {
  if (!isJsonObject(body)) throw scimErrors.invalidSyntax('The request body must be a JSON object');
  checkBodyDepth(body);
  checkSchemas(member(body, 'schemas'), MESSAGE.patchOp);
  const operations = member(body, 'operations');
  if (!Array.isArray(operations)) throw scimErrors.invalidSyntax("'Operations' must be an array");
  // RFC 7644 §3.5.2: "Operations" holds one or more operations.
  if (operations.length === 0) throw scimErrors.invalidValue("'Operations' must hold at least one operation");
  checkPatchOperationCount(operations.length);
  const normalized = operations.flatMap((raw, index) => normalizeOperation(raw, index, resourceType));
  for (const operation of normalized) checkValueFilterWork(operation);
  if (resourceType === 'User') for (const operation of normalized) checkUserRules(operation, options);
  return normalized;
};
