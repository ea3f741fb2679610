import { update as mingoUpdate } from 'mingo';
import type { Modifier } from 'mingo/updater';
import { describe, expect, it } from 'vitest';
import { applyFieldUpdate } from '../src/query/field-update.ts';
import { cloneDoc, type Doc } from '../src/storage/values.ts';

/** The general engine's answer for the same update: what the fast path must agree with. */
const byMingo = (doc: Doc, ops: Doc) => {
  const copy = cloneDoc(doc);
  const changed = mingoUpdate(copy, ops as Modifier<Doc>, undefined, undefined, {}).length > 0;
  return { doc: copy, changed };
};

const byFieldUpdate = (doc: Doc, ops: Doc) => {
  const copy = cloneDoc(doc);
  const changed = applyFieldUpdate(copy, ops);
  return { doc: copy, changed };
};

const user = () => ({
  _id: 'u-1',
  tenant: 'org-1',
  resource: { userName: 'ada', active: true, name: { givenName: 'Ada' } },
  provisioning: { license: 'org-free-license' },
  meta: { version: 3 },
});

describe('named-field updates ($set, $unset, $inc) applied without the general engine', () => {
  const agreeing: [string, Doc][] = [
    ['sets a top-level field', { $set: { tenant: 'org-2' } }],
    ['sets a nested field', { $set: { 'resource.active': false } }],
    ['creates missing parents', { $set: { 'resource.enterprise.department': 'R&D' } }],
    [
      'sets an embedded document',
      { $set: { provisioning: { license: 'org-full-license', workspaces: ['w'] } } },
    ],
    ['changes nothing when the value is already there', { $set: { 'resource.userName': 'ada' } }],
    [
      'changes nothing when an embedded document is equal',
      { $set: { 'resource.name': { givenName: 'Ada' } } },
    ],
    ['unsets a field', { $unset: { 'resource.name': '' } }],
    ['unsets a missing field: nothing changes', { $unset: { 'resource.title': '', missing: '' } }],
    ['increments a field', { $inc: { 'meta.version': 1 } }],
    ['increments a missing field from 0', { $inc: { 'meta.retries': 2 } }],
    ['increments by 0: nothing changes', { $inc: { 'meta.version': 0 } }],
    [
      'applies several operators',
      { $set: { 'resource.active': false, tenant: 'org-1' }, $inc: { 'meta.version': 1 }, $unset: { x: '' } },
    ],
  ];
  it.each(agreeing)('%s, as mingo does', (_, ops) => {
    const fast = byFieldUpdate(user(), ops);
    expect(fast.changed).toBeTypeOf('boolean');
    expect(fast).toEqual(byMingo(user(), ops));
  });

  it('stores a copy of the value it sets, never the caller’s object', () => {
    const value = { license: 'org-full-license' };
    const doc = user();
    applyFieldUpdate(doc, { $set: { provisioning: value } });
    value.license = 'changed later';
    expect(doc.provisioning).toEqual({ license: 'org-full-license' });
  });

  const general: [string, Doc, Doc?][] = [
    ['positional paths', { $set: { 'emails.$.value': 'a@example.com' } }],
    ['array filters', { $set: { 'emails.$[e].primary': true } }],
    ['array indexes', { $set: { 'emails.0.value': 'a@example.com' } }],
    ['a parent that is not a document', { $set: { 'tenant.name': 'x' } }],
    ['a non-number increment', { $inc: { 'meta.version': 'one' } }],
    ['an increment of a non-number', { $inc: { tenant: 1 } }],
    ['array operators', { $push: { emails: { value: 'a@example.com' } } }],
  ];
  it.each(general)('leaves %s to the general engine, touching nothing', (_, ops) => {
    const doc = user();
    expect(applyFieldUpdate(doc, ops)).toBeUndefined();
    expect(doc).toEqual(user());
  });
});
