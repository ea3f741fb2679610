import { Long, ObjectId } from 'mongodb';
import { describe, expect, test } from 'vitest';
import { queryShape } from '../src/telemetry/query-shape.ts';

describe('the query text of a MongoDB span', () => {
  test('shows what a find filters, sorts and limits on, never a value', () => {
    const text = queryShape({
      find: 'users',
      filter: { $and: [{ tenant: 'acme' }, { userName: { $in: ['ada@example.com', 'alan@example.com'] } }] },
      sort: { userName: 1 },
      limit: 100,
      lsid: { id: new ObjectId() },
      $db: 'roster',
    });
    expect(JSON.parse(text)).toEqual({
      find: '?',
      filter: { $and: [{ tenant: '?' }, { userName: { $in: '?' } }] },
      sort: { userName: '?' },
      limit: '?',
      $db: '?',
    });
    expect(text).not.toContain('example.com');
  });

  test('leaves out the documents a write carries, keeping what it matches on', () => {
    const document = { _id: 'u1', email: 'ada@example.com', resource: { name: { givenName: 'Ada' } } };
    expect(JSON.parse(queryShape({ insert: 'users', documents: [document], ordered: true }))).toEqual({
      insert: '?',
      ordered: '?',
    });
    expect(
      JSON.parse(
        queryShape({
          update: 'users',
          updates: [{ q: { _id: 'u1', version: new Long(3) }, u: { $set: document }, upsert: true }],
          txnNumber: new Long(7),
        }),
      ),
    ).toEqual({ update: '?', updates: [{ q: { _id: '?', version: '?' }, upsert: '?' }] });
  });

  test('stays small for a hostile filter: bounded depth and clauses', () => {
    let deep: Record<string, unknown> = { leaf: 'x' };
    for (let i = 0; i < 100; i++) deep = { $and: [deep] };
    const wide = { $or: Array.from({ length: 5_000 }, (_, i) => ({ [`field${i}`]: i })) };
    expect(queryShape({ find: 'users', filter: deep }).length).toBeLessThan(200);
    expect(queryShape({ find: 'users', filter: wide }).length).toBeLessThan(400);
  });
});
