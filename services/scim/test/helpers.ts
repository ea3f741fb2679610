import type { CompareOperator, Filter, PatchOperation, PatchPath } from '@roster/contracts';

export const U = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const G = 'urn:ietf:params:scim:schemas:core:2.0:Group';
export const E = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

type Ref = { schema: string; attribute: string; subAttribute?: string };

/** `attribute` or `attribute.sub` of the core User schema unless a schema is given. */
export const ref = (path: string, schema: string = U): Ref => {
  const [attribute, subAttribute] = path.split('.') as [string, string?];
  return subAttribute ? { schema, attribute, subAttribute } : { schema, attribute };
};

export const cmp = (path: Ref, op: CompareOperator, value: string | number | boolean | null): Filter => ({
  kind: 'compare',
  path,
  op,
  value,
});

export const op = (
  name: PatchOperation['op'],
  path: string | PatchPath,
  value?: unknown,
  schema: string = U,
): PatchOperation => ({
  op: name,
  path: typeof path === 'string' ? ref(path, schema) : path,
  ...(value === undefined ? {} : { value }),
});
