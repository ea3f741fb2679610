import type { AttributeRef } from '@roster/contracts';
import { parsePatchPath } from '../filter/parser.ts';
import { resolveAttribute, schemaByUrn } from '../schemas/attribute-lookup.ts';
import { RESOURCE_SCHEMAS, type ResourceTypeName, type Returned } from '../schemas/definitions.ts';
import { isJsonObject, type JsonObject } from '../values.ts';

/**
 * `attributes` / `excludedAttributes` (RFC 7644 §3.4.2.5, §3.9) applied to an outgoing SCIM
 * resource (core attributes at the top level, extension attributes under their schema URN).
 * `returned: always` attributes (id) are never removed, `returned: never` never appear,
 * `returned: request` only when named in `attributes`; `schemas` is structural and always kept.
 * Names that resolve to no attribute are ignored, as real service providers do. A name with a
 * value filter (`emails[type eq "work"]`, which IdPs send) stands for the attribute it filters
 * (`emails`), and is checked like a PATCH path: a malformed one is 400 invalidPath.
 */

/** Comma-separated query parameters, or arrays as in a SearchRequest body (§3.4.3). */
export interface ProjectionRequest {
  readonly attributes?: string | readonly string[] | undefined;
  readonly excludedAttributes?: string | readonly string[] | undefined;
}

/** Per `schema:attribute`, either the whole attribute or some of its sub-attributes. */
type Selection = Map<string, 'whole' | Set<string>>;

/** What is left of one attribute's value: all, nothing, only or all but some sub-attributes. */
type Kept = 'all' | 'none' | { readonly only: Set<string> } | { readonly except: Set<string> };

/** Splits at the commas outside brackets and quotes (`emails[type eq "a,b"],userName`). */
const splitNames = (list: string): string[] => {
  const names: string[] = [];
  let start = 0;
  let depth = 0;
  let quoted = false;
  for (let i = 0; i < list.length; i++) {
    const char = list[i];
    if (quoted) {
      if (char === '\\') i++;
      else if (char === '"') quoted = false;
    } else if (char === '"') quoted = true;
    else if (char === '[') depth++;
    else if (char === ']') depth = Math.max(0, depth - 1);
    else if (char === ',' && depth === 0) {
      names.push(list.slice(start, i));
      start = i + 1;
    }
  }
  names.push(list.slice(start));
  return names;
};

/** The names of one parameter (`attributes=userName,name.givenName`). */
const attributeList = (list: string | readonly string[] | undefined): readonly string[] =>
  (typeof list === 'string' ? splitNames(list) : (list ?? []))
    .map((name) => name.trim())
    .filter((name) => name.length > 0);

const key = (schema: string, attribute: string) => `${schema}:${attribute}`;

/** The attribute a name selects; `attr[filter]` and `attr[filter].sub` select `attr` and `attr.sub`. */
const selectedRef = (name: string, resourceType: ResourceTypeName): AttributeRef | undefined => {
  if (!name.includes('[')) return resolveAttribute(name, resourceType)?.ref;
  const { valueFilter: _valueFilter, ...ref } = parsePatchPath(name, resourceType);
  return ref;
};

const addToSelection = (selection: Selection, name: string, resourceType: ResourceTypeName): void => {
  const schema = schemaByUrn(name, resourceType);
  if (schema) {
    for (const attribute of schema.attributes) selection.set(key(schema.id, attribute.name), 'whole');
    return;
  }
  const ref = selectedRef(name, resourceType);
  if (!ref) return;
  const id = key(ref.schema, ref.attribute);
  const current = selection.get(id);
  if (ref.subAttribute === undefined || current === 'whole') {
    selection.set(id, 'whole');
    return;
  }
  selection.set(id, new Set([...(current ?? []), ref.subAttribute]));
};

const selectionOf = (names: readonly string[], resourceType: ResourceTypeName): Selection => {
  const selection: Selection = new Map();
  for (const name of names) addToSelection(selection, name, resourceType);
  return selection;
};

/** Keeps (`keep = true`) or removes the named sub-attributes of a complex value or of each element. */
const filterSubAttributes = (value: unknown, names: Set<string>, keep: boolean): unknown => {
  if (Array.isArray(value)) return value.map((element) => filterSubAttributes(element, names, keep));
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(Object.entries(value).filter(([name]) => names.has(name) === keep));
};

const keptValue = (kept: Kept, value: unknown): unknown => {
  if (kept === 'all') return value;
  if (kept === 'none') return undefined;
  return 'only' in kept
    ? filterSubAttributes(value, kept.only, true)
    : filterSubAttributes(value, kept.except, false);
};

const keepsSubAttribute = (kept: Kept, name: string): boolean => {
  if (kept === 'all' || kept === 'none') return kept === 'all';
  return 'only' in kept ? kept.only.has(name) : !kept.except.has(name);
};

const projectObject = (object: JsonObject, project: (name: string, value: unknown) => unknown): JsonObject =>
  Object.fromEntries(
    Object.entries(object)
      .map(([name, value]) => [name, project(name, value)] as const)
      .filter(([, value]) => value !== undefined),
  );

/**
 * The projection one request asks for, read once (a malformed name fails here, before a write is
 * sent) and applied to every resource of the response.
 */
export class AttributeProjection {
  readonly resourceType: ResourceTypeName;
  readonly #attributes: Selection | undefined;
  readonly #excluded: Selection;

  constructor(request: ProjectionRequest, resourceType: ResourceTypeName) {
    this.resourceType = resourceType;
    const attributes = attributeList(request.attributes);
    this.#attributes = attributes.length > 0 ? selectionOf(attributes, resourceType) : undefined;
    this.#excluded = selectionOf(attributeList(request.excludedAttributes), resourceType);
  }

  /** Whether the request names any attribute (in `attributes` or `excludedAttributes`). */
  get requested(): boolean {
    return this.#attributes !== undefined || this.#excluded.size > 0;
  }

  /** Whether projected resources can show `path` (`members`, `members.display`): whether it is worth reading. */
  shows(path: string): boolean {
    const resolved = resolveAttribute(path, this.resourceType);
    if (!resolved) return false;
    const { attribute } = resolved;
    const kept = this.#kept(resolved.ref.schema, attribute.name, attribute.returned);
    const sub = resolved.ref.subAttribute;
    return sub === undefined ? kept !== 'none' : keepsSubAttribute(kept, sub);
  }

  apply(resource: JsonObject): JsonObject {
    const core = RESOURCE_SCHEMAS[this.resourceType][0]!.id;
    return projectObject(resource, (name, value) => {
      if (name === 'schemas') return value;
      const extension = schemaByUrn(name, this.resourceType);
      if (!extension || extension.id === core || !isJsonObject(value))
        return this.#projected(core, name, value);
      const projected = projectObject(value, (inner, innerValue) =>
        this.#projected(extension.id, inner, innerValue),
      );
      return Object.keys(projected).length > 0 ? projected : undefined;
    });
  }

  /** The projected value of one attribute, or undefined to drop it. */
  #projected(schema: string, name: string, value: unknown): unknown {
    const definition = resolveAttribute(key(schema, name), this.resourceType)?.attribute;
    return keptValue(this.#kept(schema, definition?.name ?? name, definition?.returned), value);
  }

  /** What is kept of an attribute (one without a definition counts as `returned: default`). */
  #kept(schema: string, name: string, returned: Returned = 'default'): Kept {
    if (returned === 'always') return 'all';
    if (returned === 'never') return 'none';
    const id = key(schema, name);
    if (this.#attributes) {
      const selected = this.#attributes.get(id);
      if (selected === undefined) return 'none';
      return selected === 'whole' ? 'all' : { only: selected };
    }
    if (returned === 'request') return 'none';
    const excluded = this.#excluded.get(id);
    if (excluded === undefined) return 'all';
    return excluded === 'whole' ? 'none' : { except: excluded };
  }
}

export const projectResource = (
  resource: JsonObject,
  resourceType: ResourceTypeName,
  request: ProjectionRequest,
): JsonObject => new AttributeProjection(request, resourceType).apply(resource);
