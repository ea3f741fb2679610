import { type AttributeRef, SCHEMA } from '@roster/contracts';
import {
  type AttributeDefinition,
  COMMON_ATTRIBUTES,
  RESOURCE_SCHEMAS,
  type ResourceTypeName,
  type SchemaDefinition,
} from './definitions.ts';

/**
 * The attribute resolver every SCIM component uses to turn IdP spellings (`USERNAME`,
 * `urn:…:enterprise:2.0:User:department`) into canonical attribute references, and to find where
 * an attribute is stored.
 */

/**
 * Where each schema's attributes live in a canonical resource (@roster/contracts resources.ts):
 * core attributes at the root, enterprise ones under `enterprise`. Schemas not listed (Roster's
 * read-only extensions) are computed by the status service and not stored in the resource.
 */
const STORAGE_PREFIX: Readonly<Record<string, readonly string[]>> = {
  [SCHEMA.user]: [],
  [SCHEMA.group]: [],
  [SCHEMA.enterpriseUser]: ['enterprise'],
};

/** meta sub-attributes kept in the stored document (the others are derived when serving). */
const STORED_META = new Set(['created', 'lastModified']);

export interface ResolvedAttribute {
  /** Canonical reference: schema URN, canonical attribute and sub-attribute names. */
  readonly ref: AttributeRef;
  /** The top-level attribute. */
  readonly attribute: AttributeDefinition;
  /** The addressed definition: the sub-attribute when the path has one, else the attribute. */
  readonly definition: AttributeDefinition;
  /**
   * Field path inside a canonical resource (`{ id, meta, ...UserAttributes }`), e.g.
   * ['enterprise', 'manager', 'value']; undefined when the value is not stored (computed/derived).
   */
  readonly location: readonly string[] | undefined;
}

const sameName = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

const findDefinition = (definitions: readonly AttributeDefinition[], name: string) =>
  definitions.find((d) => sameName(d.name, name));

export const resolveSubAttribute = (
  parent: AttributeDefinition,
  name: string,
): AttributeDefinition | undefined => findDefinition(parent.subAttributes ?? [], name);

/** The schema of `resourceType` whose URN is `urn` (case-insensitive). */
export const schemaByUrn = (urn: string, resourceType: ResourceTypeName): SchemaDefinition | undefined =>
  RESOURCE_SCHEMAS[resourceType].find((s) => sameName(s.id, urn));

/** Splits `urn:…:User:name.givenName` into its schema and the rest; unqualified paths have no schema. */
const splitSchemaPrefix = (path: string, resourceType: ResourceTypeName) => {
  const schema = RESOURCE_SCHEMAS[resourceType].find((s) =>
    path.toLowerCase().startsWith(`${s.id.toLowerCase()}:`),
  );
  return schema ? { schema, rest: path.slice(schema.id.length + 1) } : { schema: undefined, rest: path };
};

const commonLocation = (attribute: AttributeDefinition, sub: AttributeDefinition | undefined) => {
  if (attribute.name !== 'meta') return [attribute.name];
  if (!sub) return ['meta'];
  return STORED_META.has(sub.name) ? ['meta', sub.name] : undefined;
};

const resolved = (
  schema: SchemaDefinition,
  attribute: AttributeDefinition,
  sub: AttributeDefinition | undefined,
  location: readonly string[] | undefined,
): ResolvedAttribute => ({
  ref: { schema: schema.id, attribute: attribute.name, ...(sub ? { subAttribute: sub.name } : {}) },
  attribute,
  definition: sub ?? attribute,
  location,
});

/** Resolves `name` / `name.sub` against one schema; common attributes only against the core schema. */
const resolveInSchema = (
  schema: SchemaDefinition,
  isCore: boolean,
  name: string,
  subName: string | undefined,
): ResolvedAttribute | undefined => {
  const common = isCore ? findDefinition(COMMON_ATTRIBUTES, name) : undefined;
  const attribute = common ?? findDefinition(schema.attributes, name);
  if (!attribute) return undefined;
  const sub = subName === undefined ? undefined : resolveSubAttribute(attribute, subName);
  if (subName !== undefined && !sub) return undefined;
  if (common) return resolved(schema, attribute, sub, commonLocation(attribute, sub));
  const prefix = STORAGE_PREFIX[schema.id];
  const location = prefix && [...prefix, attribute.name, ...(sub ? [sub.name] : [])];
  return resolved(schema, attribute, sub, location);
};

/**
 * Resolves an attribute path (RFC 7644 §3.10) for a resource type: case-insensitive names,
 * optional schema-URN prefix (`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department`),
 * optional `.subAttribute`, and the common attributes id, externalId, meta.*.
 * Unqualified names resolve against the core schema first, then (leniently) against the extensions.
 */
export const resolveAttribute = (
  path: string,
  resourceType: ResourceTypeName,
): ResolvedAttribute | undefined => {
  const { schema, rest } = splitSchemaPrefix(path, resourceType);
  if (!schema && path.toLowerCase().startsWith('urn:')) return undefined;
  const [name, subName, ...extra] = rest.split('.');
  if (!name || extra.length > 0) return undefined;
  const core = RESOURCE_SCHEMAS[resourceType][0]!;
  const candidates = schema ? [schema] : RESOURCE_SCHEMAS[resourceType];
  for (const candidate of candidates) {
    const found = resolveInSchema(candidate, candidate === core, name, subName);
    if (found) return found;
  }
  return undefined;
};

/** Resolves an AttributeRef (e.g. one that crossed Kafka) back to its definitions. */
export const lookupAttribute = (
  ref: AttributeRef,
  resourceType: ResourceTypeName,
): ResolvedAttribute | undefined =>
  schemaByUrn(ref.schema, resourceType)
    ? resolveAttribute(
        `${ref.schema}:${ref.attribute}${ref.subAttribute === undefined ? '' : `.${ref.subAttribute}`}`,
        resourceType,
      )
    : undefined;
