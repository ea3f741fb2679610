import { resolveAttribute, schemaByUrn } from '../schemas/attribute-lookup.ts';
import { type AttributeDefinition, RESOURCE_SCHEMAS, type ResourceTypeName } from '../schemas/definitions.ts';
import { isJsonObject, type JsonObject } from '../values.ts';

/**
 * `attributes` / `excludedAttributes` (RFC 7644 §3.4.2.5, §3.9) applied to an outgoing SCIM
 * resource (core attributes at the top level, extension attributes under their schema URN).
 * `returned: always` attributes (id) are never removed, `returned: never` never appear,
 * `returned: request` only when named in `attributes`; `schemas` is structural and always kept.
 * Names that resolve to no attribute are ignored, as real service providers do.
 */

/** Comma-separated query parameters, or arrays as in a SearchRequest body (§3.4.3). */
export interface ProjectionRequest {
  readonly attributes?: string | readonly string[] | undefined;
  readonly excludedAttributes?: string | readonly string[] | undefined;
}

/** Per `schema:attribute`, either the whole attribute or some of its sub-attributes. */
type Selection = Map<string, 'whole' | Set<string>>;

/** Splits a comma-separated query parameter (`attributes=userName,name.givenName`). */
const attributeList = (list: string | readonly string[] | undefined): readonly string[] =>
  (typeof list === 'string' ? list.split(',') : (list ?? []))
    .map((name) => name.trim())
    .filter((name) => name.length > 0);

const key = (schema: string, attribute: string) => `${schema}:${attribute}`;

const addToSelection = (selection: Selection, path: string, resourceType: ResourceTypeName): void => {
  const schema = schemaByUrn(path, resourceType);
  if (schema) {
    for (const attribute of schema.attributes) selection.set(key(schema.id, attribute.name), 'whole');
    return;
  }
  const resolved = resolveAttribute(path, resourceType);
  if (!resolved) return;
  const id = key(resolved.ref.schema, resolved.ref.attribute);
  const current = selection.get(id);
  if (resolved.ref.subAttribute === undefined || current === 'whole') {
    selection.set(id, 'whole');
    return;
  }
  selection.set(id, new Set([...(current ?? []), resolved.ref.subAttribute]));
};

const selectionOf = (paths: readonly string[], resourceType: ResourceTypeName): Selection => {
  const selection: Selection = new Map();
  for (const path of paths) addToSelection(selection, path, resourceType);
  return selection;
};

/** Keeps (`keep = true`) or removes the named sub-attributes of a complex value or of each element. */
const filterSubAttributes = (value: unknown, names: Set<string>, keep: boolean): unknown => {
  if (Array.isArray(value)) return value.map((element) => filterSubAttributes(element, names, keep));
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(Object.entries(value).filter(([name]) => names.has(name) === keep));
};

class Projector {
  readonly #resourceType: ResourceTypeName;
  readonly #attributes: Selection | undefined;
  readonly #excluded: Selection;

  constructor(request: ProjectionRequest, resourceType: ResourceTypeName) {
    this.#resourceType = resourceType;
    const attributes = attributeList(request.attributes);
    this.#attributes = attributes.length > 0 ? selectionOf(attributes, resourceType) : undefined;
    this.#excluded = selectionOf(attributeList(request.excludedAttributes), resourceType);
  }

  /** The projected value of one attribute, or undefined to drop it. */
  project(schema: string, name: string, value: unknown): unknown {
    const definition: AttributeDefinition | undefined = resolveAttribute(
      key(schema, name),
      this.#resourceType,
    )?.attribute;
    const returned = definition?.returned ?? 'default';
    if (returned === 'always') return value;
    if (returned === 'never') return undefined;
    const id = key(schema, definition?.name ?? name);
    if (this.#attributes) return this.#selected(this.#attributes.get(id), value);
    if (returned === 'request') return undefined;
    return this.#notExcluded(this.#excluded.get(id), value);
  }

  #selected(selected: 'whole' | Set<string> | undefined, value: unknown): unknown {
    if (selected === undefined) return undefined;
    return selected === 'whole' ? value : filterSubAttributes(value, selected, true);
  }

  #notExcluded(excluded: 'whole' | Set<string> | undefined, value: unknown): unknown {
    if (excluded === undefined) return value;
    return excluded === 'whole' ? undefined : filterSubAttributes(value, excluded, false);
  }
}

const projectObject = (object: JsonObject, project: (name: string, value: unknown) => unknown): JsonObject =>
  Object.fromEntries(
    Object.entries(object)
      .map(([name, value]) => [name, project(name, value)] as const)
      .filter(([, value]) => value !== undefined),
  );

export const projectResource = (
  resource: JsonObject,
  resourceType: ResourceTypeName,
  request: ProjectionRequest,
): JsonObject => {
  const projector = new Projector(request, resourceType);
  const core = RESOURCE_SCHEMAS[resourceType][0]!.id;
  return projectObject(resource, (name, value) => {
    if (name === 'schemas') return value;
    const extension = schemaByUrn(name, resourceType);
    if (!extension || extension.id === core || !isJsonObject(value))
      return projector.project(core, name, value);
    const projected = projectObject(value, (inner, innerValue) =>
      projector.project(extension.id, inner, innerValue),
    );
    return Object.keys(projected).length > 0 ? projected : undefined;
  });
};
