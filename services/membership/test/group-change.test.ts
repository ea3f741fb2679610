import { envelope, type GroupMembersChange } from '@roster/contracts';
import { describe, expect, it } from 'vitest';
import {
  groupChangeCandidates,
  groupChangedFromV1,
  membersAfter,
  memberWrites,
  movesUnnamedMembers,
} from '../src/domain/group-change.ts';

const delta = (added: string[], removed: string[] = []): GroupMembersChange => ({
  kind: 'delta',
  added,
  removed,
});
const replaced = (memberIds: string[]): GroupMembersChange => ({ kind: 'replaced', memberIds });

const named = { displayName: 'Sales', deleted: false };

/** What a change does, given the members it finds: its candidates, writes and the members left. */
const apply = (
  before: { displayName: string } | null,
  after: { displayName: string; deleted: boolean },
  members: GroupMembersChange,
  currentMembers: string[],
) => {
  const read = movesUnnamedMembers(before, after, members) ? currentMembers : [];
  const candidates = groupChangeCandidates(members, read);
  const writes = memberWrites(members, candidates);
  return { read: read.length > 0, candidates, writes, after: membersAfter(read, writes) };
};

describe('a delta under the same name', () => {
  it('given a large group, when one member is added, then only that member is a candidate', () => {
    const current = Array.from({ length: 5_000 }, (_, i) => `u-${i}`);
    expect(apply(named, named, delta(['new']), current)).toEqual({
      read: false,
      candidates: ['new'],
      writes: { present: ['new'], absent: [] },
      after: ['new'],
    });
  });

  it('given members, when some are added and others removed, then the candidates are exactly those', () => {
    expect(apply(named, named, delta(['c', 'd'], ['a']), ['a', 'b'])).toEqual({
      read: false,
      candidates: ['c', 'd', 'a'],
      writes: { present: ['c', 'd'], absent: ['a'] },
      after: ['c', 'd'],
    });
  });

  it('given an id named twice, then it is a candidate and a write once', () => {
    const { candidates, writes } = apply(named, named, delta(['c', 'c'], ['a', 'a']), []);
    expect(candidates).toEqual(['c', 'a']);
    expect(writes).toEqual({ present: ['c'], absent: ['a'] });
  });
});

describe('changes that move members they do not name', () => {
  it('given members, when the group is renamed, then every member is a candidate and stays a member', () => {
    const renamed = { displayName: 'Sales EMEA', deleted: false };
    expect(apply(named, renamed, delta(['c'], ['a']), ['a', 'b'])).toEqual({
      read: true,
      candidates: ['a', 'b', 'c'],
      writes: { present: ['c'], absent: ['a'] },
      after: ['c', 'b'],
    });
  });

  it('given members, when the members are replaced, then the unlisted ones leave', () => {
    expect(apply(named, named, replaced(['b', 'c']), ['a', 'b'])).toEqual({
      read: true,
      candidates: ['a', 'b', 'c'],
      writes: { present: ['b', 'c'], absent: ['a'] },
      after: ['b', 'c'],
    });
  });

  it('given members, when the group is deleted, then every member leaves', () => {
    expect(apply(named, { ...named, deleted: true }, replaced([]), ['a', 'b'])).toEqual({
      read: true,
      candidates: ['a', 'b'],
      writes: { present: [], absent: ['a', 'b'] },
      after: [],
    });
  });

  it('given no projection yet, when the group is created, then its members are the candidates', () => {
    expect(movesUnnamedMembers(null, named, delta(['a']))).toBe(false);
    expect(apply(null, named, replaced(['a', 'b']), [])).toEqual({
      read: false,
      candidates: ['a', 'b'],
      writes: { present: ['a', 'b'], absent: [] },
      after: ['a', 'b'],
    });
  });

  it('given the recorded candidates, when a replacement is delivered again, then it writes the same', () => {
    const first = apply(named, named, replaced(['b']), ['a', 'b']);
    expect(memberWrites(replaced(['b']), first.candidates)).toEqual(first.writes);
  });
});

describe('a v1 change', () => {
  it('given the whole member list, when read, then it is the v2 change replacing the members', () => {
    const v1 = envelope(
      'roster.directory.group.changed.v1',
      { source: '/roster/status', tenant: 'org-1', subject: 'g-1', correlationid: 'c-1' },
      {
        commandId: 'cmd-1',
        change: 'updated',
        sequence: 4,
        group: { id: 'g-1', displayName: 'Sales', memberIds: ['a', 'b', 'a'] },
        awaits: ['membership'],
      },
    );
    expect(groupChangedFromV1(v1)).toEqual({
      ...v1,
      type: 'roster.directory.group.changed.v2',
      data: {
        commandId: 'cmd-1',
        change: 'updated',
        sequence: 4,
        group: { id: 'g-1', displayName: 'Sales', memberCount: 2 },
        members: { kind: 'replaced', memberIds: ['a', 'b', 'a'] },
        awaits: ['membership'],
      },
    });
  });
});
