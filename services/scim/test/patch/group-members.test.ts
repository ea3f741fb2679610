import type { PatchOperation } from '@roster/contracts';
import { describe, expect, test } from 'vitest';
import { MESSAGE } from '../../src/messages.ts';
import { type MemberPlan, planGroupPatch } from '../../src/patch/group-members.ts';
import { normalizePatch } from '../../src/patch/normalize.ts';
import { G, op } from '../helpers.ts';

// Operations come from PatchOp bodies as the ingress normalizes them, so each case is what an IdP sends.
const normalized = (...Operations: unknown[]) =>
  normalizePatch({ schemas: [MESSAGE.patchOp], Operations }, 'Group');
const memberPlan = (...Operations: unknown[]) => planGroupPatch(normalized(...Operations)).members;

const ids = (...values: string[]) => values.map((value) => ({ value }));
const addMembers = (...values: string[]) => ({ op: 'add', path: 'members', value: ids(...values) });
const removeMember = (id: string) => ({ op: 'remove', path: `members[value eq "${id}"]` });
const replaceMembers = (...values: string[]) => ({ op: 'replace', path: 'members', value: ids(...values) });
const removeAll = { op: 'remove', path: 'members' };

const delta = (added: string[], removed: string[] = []): MemberPlan => ({ replaced: false, added, removed });
const replacedBy = (...added: string[]): MemberPlan => ({ replaced: true, added, removed: [] });

describe('the member plan, composed in operation order', () => {
  test.each<[string, unknown[], MemberPlan]>([
    [
      'add: ids in the order named, each once',
      [addMembers('u1', 'u2', 'u1'), addMembers('u2', 'u3')],
      delta(['u1', 'u2', 'u3']),
    ],
    [
      'add: a display or type sent along is not part of the plan',
      [{ op: 'add', path: 'members', value: [{ value: 'u1', display: 'One', type: 'User' }] }],
      delta(['u1']),
    ],
    ['add: a single member object', [{ op: 'add', path: 'members', value: { value: 'u1' } }], delta(['u1'])],
    ['Entra: capitalized op and path', [{ op: 'Add', path: 'Members', value: ids('u1') }], delta(['u1'])],
    ['Okta: remove members[value eq "…"]', [removeMember('u1')], delta([], ['u1'])],
    [
      'remove several ids joined by or',
      [{ op: 'remove', path: 'members[value eq "u1" or value eq "u2"]' }],
      delta([], ['u1', 'u2']),
    ],
    [
      "Entra's value-list removal",
      [{ op: 'Remove', path: 'members', value: ids('u1', 'u2') }],
      delta([], ['u1', 'u2']),
    ],
    ['remove then add: added in the end', [removeMember('u1'), addMembers('u1')], delta(['u1'])],
    [
      'add then remove: removed in the end',
      [addMembers('u1', 'u2'), removeMember('u1')],
      delta(['u2'], ['u1']),
    ],
    ['remove all: an empty group', [removeAll], replacedBy()],
    ['remove all, then add', [addMembers('u1'), removeAll, addMembers('u2')], replacedBy('u2')],
    ['Okta push now: replace members []', [replaceMembers()], replacedBy()],
    [
      'replace discards what was added before it',
      [addMembers('u1'), replaceMembers('u2', 'u3')],
      replacedBy('u2', 'u3'),
    ],
    [
      'after a replace, a removal only takes back what the PATCH added',
      [replaceMembers('u1', 'u2'), removeMember('u1'), removeMember('u9')],
      replacedBy('u2'),
    ],
    ['path-less replace of members', [{ op: 'replace', value: { members: ids('u1') } }], replacedBy('u1')],
  ])('%s', (_, operations, expected) => {
    expect(memberPlan(...operations)).toEqual(expected);
  });

  test('the group attributes are left to apply, in order; member operations are not among them', () => {
    const rename = { op: 'replace', path: 'displayName', value: 'Sales EMEA' };
    const externalId = { op: 'add', path: 'externalId', value: 'ext-1' };
    const operations = normalized(rename, addMembers('u1'), externalId, removeMember('u2'));
    expect(planGroupPatch(operations)).toEqual({
      attributeOperations: [operations[0], operations[2]],
      members: delta(['u1'], ['u2']),
    });
  });
});

const badRequest = (scimType: string) => expect.objectContaining({ httpStatus: 400, scimType });

describe('what the plan refuses', () => {
  // Normalized first and outside the assertion: the ingress accepts each, the plan refuses it.
  test.each<[string, unknown, string]>([
    ['replace members.display', { op: 'replace', path: 'members.display', value: 'x' }, 'mutability'],
    ['remove members.display', { op: 'remove', path: 'members.display' }, 'mutability'],
    [
      'add members[value eq "u1"].display',
      { op: 'add', path: 'members[value eq "u1"].display', value: 'x' },
      'mutability',
    ],
    [
      'remove members[value eq "u1"].display',
      { op: 'remove', path: 'members[value eq "u1"].display' },
      'mutability',
    ],
    [
      'add with a value filter',
      { op: 'add', path: 'members[value eq "u1"]', value: { value: 'u1' } },
      'invalidPath',
    ],
    [
      'replace with a value filter',
      { op: 'replace', path: 'members[value eq "u1"]', value: { value: 'u2' } },
      'invalidPath',
    ],
    ['remove by display', { op: 'remove', path: 'members[display eq "One"]' }, 'invalidFilter'],
    ['remove by a value prefix', { op: 'remove', path: 'members[value sw "u"]' }, 'invalidFilter'],
    [
      'remove by ids joined by and',
      { op: 'remove', path: 'members[value eq "u1" and value eq "u2"]' },
      'invalidFilter',
    ],
    [
      'remove by an id or a display',
      { op: 'remove', path: 'members[value eq "u1" or display eq "x"]' },
      'invalidFilter',
    ],
    [
      'add a member without a value',
      { op: 'add', path: 'members', value: [{ display: 'One' }] },
      'invalidValue',
    ],
  ])('%s → 400 %s', (_, operation, scimType) => {
    const operations = normalized(operation);
    expect(() => planGroupPatch(operations)).toThrowError(badRequest(scimType));
  });

  test.each<[string, PatchOperation]>([
    ['an empty id', op('add', 'members', [{ value: '' }], G)],
    ['a bare id instead of a member object', op('replace', 'members', ['u1'], G)],
  ])('%s → 400 invalidValue', (_, operation) => {
    expect(() => planGroupPatch([operation])).toThrowError(badRequest('invalidValue'));
  });
});
