import { randomUUID } from 'node:crypto';
import { type Command, envelope, SCHEMA } from '@roster/contracts';
import { MESSAGE, normalizeGroup, normalizePatch, normalizeUser } from '@roster/scim';
import { describe, expect, test } from 'vitest';
import { writeWeight } from '../../src/pipeline/write-weight.ts';

const attributes = {
  source: '/test',
  tenant: 'org-1',
  subject: randomUUID(),
  correlationid: randomUUID(),
  traceparent: `00-${'1'.repeat(32)}-${'2'.repeat(16)}-01`,
};
const actor = { kind: 'scim-token' as const, id: 'token-1' };
const ids = (count: number) => Array.from({ length: count }, () => randomUUID());
const members = (values: string[]) => values.map((value) => ({ value }));

const groupPatch = (...Operations: unknown[]): Command =>
  envelope('roster.command.group.patch.v1', attributes, {
    actor,
    operations: normalizePatch({ schemas: [MESSAGE.patchOp], Operations }, 'Group'),
  });

describe('the weight of a write', () => {
  test('a user write is one change', () => {
    const user = normalizeUser({
      schemas: [SCHEMA.user],
      userName: 'ada@example.com',
      emails: [{ value: 'ada@example.com' }],
    });
    expect(writeWeight(envelope('roster.command.user.create.v1', attributes, { actor, user }))).toBe(1);
    expect(writeWeight(envelope('roster.command.user.deactivate.v1', attributes, { actor }))).toBe(1);
  });

  test('a group created or replaced weighs 1 plus its members', () => {
    const group = normalizeGroup({ schemas: [SCHEMA.group], displayName: 'Eng', members: members(ids(3)) });
    expect(writeWeight(envelope('roster.command.group.create.v1', attributes, { actor, group }))).toBe(4);
    expect(writeWeight(envelope('roster.command.group.replace.v1', attributes, { actor, group }))).toBe(4);
  });

  test('a group PATCH weighs 1 plus every member it names, in each IdP form', () => {
    // Okta's add, Entra's value-list removal, Okta's removal by filtered path, a rename
    expect(writeWeight(groupPatch({ op: 'add', path: 'members', value: members(ids(100)) }))).toBe(101);
    expect(writeWeight(groupPatch({ op: 'Remove', path: 'members', value: members(ids(50)) }))).toBe(51);
    const [one] = ids(1);
    expect(writeWeight(groupPatch({ op: 'remove', path: `members[value eq "${one}"]` }))).toBe(2);
    expect(writeWeight(groupPatch({ op: 'replace', path: 'displayName', value: 'Engineering' }))).toBe(1);
    // a path-less add is normalized to one operation per attribute
    expect(
      writeWeight(
        groupPatch(
          { op: 'add', value: { members: members(ids(7)) } },
          { op: 'replace', path: 'members', value: members(ids(5)) },
        ),
      ),
    ).toBe(13);
  });
});
