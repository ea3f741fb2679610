import { scimErrors } from '../errors.ts';
import { checkBodyDepth } from '../limits.ts';
import { checkSchemas } from '../messages.ts';
import { resolveAttribute, schemaByUrn } from '../schemas/attribute-lookup.ts';
import { coerceAttributeValue } from '../schemas/coerce.ts';
import { RESOURCE_SCHEMAS, type ResourceTypeName } from '../schemas/definitions.ts';
import { validAttributes, withoutUndeclared } from '../schemas/validate.ts';
import { isJsonObject, type JsonObject, member } from '../values.ts';

/**
 * Reads a SCIM resource body (POST/PUT) into canonical attributes (@roster/contracts resources.ts layout).
 * Unknown attributes are ignored rather than rejected: RFC 7644 §3.3 allows it and real service
 * providers are lenient, because IdP admins map attributes we do not carry. Read-only attributes
 * (id, meta, the Roster extensions) are ignored on input as RFC 7643 §2.2 prescribes.
 */

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
  checkBodyDepth(body);
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
