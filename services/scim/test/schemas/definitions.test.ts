import { LICENSES, SCHEMA } from '@roster/contracts';
import { describe, expect, test } from 'vitest';
import { resolveAttribute } from '../../src/schemas/attribute-lookup.ts';
import { ALL_SCHEMAS, type AttributeDefinition, USER_SCHEMA } from '../../src/schemas/definitions.ts';
import { RESOURCE_TYPES } from '../../src/schemas/resource-types.ts';

describe('schema resources', () => {
  const characteristicsComplete = (d: AttributeDefinition): boolean =>
    ['name', 'type', 'multiValued', 'required', 'caseExact', 'mutability', 'returned', 'uniqueness'].every(
      (k) => k in d,
    ) && (d.subAttributes ?? []).every(characteristicsComplete);

  test('every attribute declares every characteristic', () => {
    for (const schema of ALL_SCHEMAS) expect(schema.attributes.every(characteristicsComplete)).toBe(true);
  });

  test('product rules are declared', () => {
    const byName = (n: string) => USER_SCHEMA.attributes.find((a) => a.name === n);
    expect(byName('userName')).toMatchObject({ required: true, caseExact: false, uniqueness: 'server' });
    expect(byName('userType')?.canonicalValues).toEqual(LICENSES);
    expect(byName('photos')?.subAttributes?.find((s) => s.name === 'value')?.type).toBe('reference');
    expect(resolveAttribute('externalId', 'User')?.definition.caseExact).toBe(true);
    expect(resolveAttribute('id', 'User')?.definition).toMatchObject({ caseExact: true, returned: 'always' });
    expect(
      resolveAttribute(`${SCHEMA.rosterUser}:contentTransfer.state`, 'User')?.definition.mutability,
    ).toBe('readOnly');
    expect(resolveAttribute('linkState', 'Group')?.definition).toMatchObject({
      mutability: 'readOnly',
      canonicalValues: ['linked', 'unlinked'],
    });
  });

  test('resource types reference declared schemas', () => {
    const ids = new Set(ALL_SCHEMAS.map((s) => s.id));
    for (const type of Object.values(RESOURCE_TYPES)) {
      expect(ids.has(type.schema)).toBe(true);
      for (const ext of type.schemaExtensions) expect(ids.has(ext.schema)).toBe(true);
    }
  });
});
