import {
  RESOURCE_SCHEMAS,
  type ResourceTypeName,
  resolveAttribute,
  schemaByUrn,
  scimErrors,
  validAttributes,
  withoutUndeclared,
} from '@roster/contracts';
import { coerceAttributeValue } from './coerce.ts';

/**
 * Reads a SCIM resource body (POST/PUT) into canonical attributes (resources.ts layout).
 * Unknown attributes are ignored rather than rejected: RFC 7644 §3.3 allows it and real service
 * providers are lenient, because IdP admins map attributes we do not carry. Read-only attributes
 * (id, meta, the Roster extensions) are ignored on input as RFC 7643 §2.2 prescribes.
 */

export type JsonObject = Record<string, unknown>;

export const isJsonObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** A member of a JSON object by case-insensitive key (`Operations`, `op`, `Schemas`, …). */
export const member = (object: JsonObject, name: string): unknown =>
  Object.entries(object).find(([key]) => key.toLowerCase() === name)?.[1];

/** `schemas` must list `required` (case-insensitively). */
export const checkSchemas = (schemas: unknown, required: string): void => {
  const listed =
    Array.isArray(schemas) &&
    schemas.some((s) => typeof s === 'string' && s.toLowerCase() === required.toLowerCase());
  if (!listed) throw scimErrors.invalidSyntax(`'schemas' must be an array that includes "${required}"`);
};

const setAt = (target: JsonObject, location: readonly string[], value: unknown): void => {
  const [head, ...rest] = location;
  if (rest.length === 0) {
    target[head!] = value;
    return;
  }
  const child = isJsonObject(target[head!]) ? (target[head!] as JsonObject) : {};
  target[head!] = child;
  setAt(child, rest, value);
};

const placeAttribute = (
  target: JsonObject,
  path: string,
  raw: unknown,
  resourceType: ResourceTypeName,
): void => {
  const resolved = resolveAttribute(path, resourceType);
  if (!resolved?.location || resolved.attribute.mutability === 'readOnly') return;
  if (resolved.definition.mutability === 'readOnly') return;
  const value = coerceAttributeValue(resolved.definition, raw, path);
  if (value !== undefined) setAt(target, resolved.location, value);
};

/** Top-level keys: core attributes, URN-keyed extension objects, or URN-qualified attribute names. */
export const readAttributes = (body: unknown, resourceType: ResourceTypeName): JsonObject => {
  if (!isJsonObject(body)) throw scimErrors.invalidSyntax('The request body must be a JSON object');
  const core = RESOURCE_SCHEMAS[resourceType][0]!;
  checkSchemas(member(body, 'schemas'), core.id);
  const attributes: JsonObject = {};
  for (const [key, raw] of Object.entries(body)) {
    if (key.toLowerCase() === 'schemas') continue;
    const extension = schemaByUrn(key, resourceType);
    if (!extension) placeAttribute(attributes, key, raw, resourceType);
    else if (!isJsonObject(raw))
      throw scimErrors.invalidSyntax(`'${key}' must be an object of extension attributes`);
    else
      for (const [name, value] of Object.entries(raw))
        placeAttribute(attributes, `${extension.id}:${name}`, value, resourceType);
  }
  return attributes;
};

/**
 * Drops what the schema declares but Roster does not store (members' `type` and `$ref`, the
 * manager's `$ref`), then validates: whatever still does not fit → 400 invalidValue naming the field.
 */
export const validated = <T extends Parameters<typeof validAttributes>[0]>(
  schema: T,
  attributes: JsonObject,
) => validAttributes(schema, withoutUndeclared(schema, attributes));
