import { scimErrors } from '../errors.ts';
import { checkItemCount, checkString } from '../limits.ts';
import { isJsonObject } from '../values.ts';
import { resolveSubAttribute } from './attribute-lookup.ts';
import type { AttributeDefinition } from './definitions.ts';

/**
 * Coerces a raw JSON value to an attribute's SCIM type, the place where IdP quirks end:
 * booleans sent as strings ("True", "false": Entra), canonical sub-attribute names matched
 * case-insensitively, read-only and unknown sub-attributes dropped (RFC 7644 §3.3 lets a service
 * provider ignore them), a bare value for a complex attribute taken as its `value` sub-attribute
 * (Entra sends the enterprise `manager` as a plain id). null means unassigned (RFC 7643 §2.5) and
 * yields undefined. Anything else of the wrong type → 400 invalidValue naming the attribute.
 * Strings and the values of a multi-valued attribute are held to limits.ts here, for every input.
 */

const wrongType = (label: string, expected: string, raw: unknown) =>
  scimErrors.invalidValue(`Attribute '${label}' must be ${expected}, got ${JSON.stringify(raw)}`);

const coerceBoolean = (raw: unknown, label: string): boolean => {
  if (typeof raw === 'boolean') return raw;
  const text = typeof raw === 'string' ? raw.trim().toLowerCase() : undefined;
  if (text === 'true' || text === 'false') return text === 'true';
  throw wrongType(label, 'a boolean', raw);
};

const coerceComplex = (
  definition: AttributeDefinition,
  raw: unknown,
  label: string,
): Record<string, unknown> => {
  const value = resolveSubAttribute(definition, 'value');
  if (!isJsonObject(raw)) {
    if (value && !Array.isArray(raw)) return { value: coerceSimple(value, raw, `${label}.value`) };
    throw wrongType(label, 'an object', raw);
  }
  const result: Record<string, unknown> = {};
  for (const [name, inner] of Object.entries(raw)) {
    const sub = resolveSubAttribute(definition, name);
    if (!sub || sub.mutability === 'readOnly') continue;
    const coerced = coerceSingleValue(sub, inner, `${label}.${sub.name}`);
    if (coerced !== undefined) result[sub.name] = coerced;
  }
  return result;
};

function coerceSimple(definition: AttributeDefinition, raw: unknown, label: string): unknown {
  switch (definition.type) {
    case 'boolean':
      return coerceBoolean(raw, label);
    case 'integer':
    case 'decimal':
      if (typeof raw === 'number' && (definition.type === 'decimal' || Number.isInteger(raw))) return raw;
      throw wrongType(label, `an ${definition.type}`, raw);
    case 'complex':
      return coerceComplex(definition, raw, label);
    default:
      if (typeof raw !== 'string') throw wrongType(label, 'a string', raw);
      checkString(raw, label);
      return raw;
  }
}

/** One value of the attribute (an element, for multi-valued attributes). */
export const coerceSingleValue = (definition: AttributeDefinition, raw: unknown, label: string): unknown =>
  raw === null || raw === undefined ? undefined : coerceSimple(definition, raw, label);

/** The whole attribute value: an array for multi-valued attributes (a lone element is wrapped). */
export const coerceAttributeValue = (
  definition: AttributeDefinition,
  raw: unknown,
  label: string,
): unknown => {
  if (!definition.multiValued) return coerceSingleValue(definition, raw, label);
  if (raw === null || raw === undefined) return undefined;
  const elements = Array.isArray(raw) ? raw : [raw];
  checkItemCount(elements.length, label);
  return elements
    .map((element, index) => coerceSingleValue(definition, element, `${label}[${index}]`))
    .filter((element) => element !== undefined);
};
