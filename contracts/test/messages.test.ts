import { describe, expect, test } from 'vitest';
import {
  ContractViolation,
  decodeMessage,
  eventTime,
  TOPICS,
  type TopicKey,
  toKafkaRecord,
} from '../src/index.ts';
import { EXAMPLES } from './examples.ts';

const catalogue = (Object.keys(TOPICS) as TopicKey[]).flatMap((topic) =>
  TOPICS[topic].messages.map((schema) => ({ topic, type: String(schema.$id) })),
);

const clone = <T>(value: T): T => structuredClone(value);
const rejection = (topic: TopicKey, value: unknown): ContractViolation => {
  try {
    decodeMessage(topic, JSON.stringify(value));
  } catch (err) {
    if (err instanceof ContractViolation) return err;
    throw err;
  }
  throw new Error('expected the message to be rejected');
};

describe('every message type in the topic catalogue', () => {
  test('has a valid example', () => {
    expect(Object.keys(EXAMPLES).sort()).toEqual(catalogue.map((m) => m.type).sort());
  });

  test.each(catalogue)('$type round-trips through JSON and validation', ({ topic, type }) => {
    const example = EXAMPLES[type];
    const decoded = decodeMessage(topic, Buffer.from(JSON.stringify(example)));
    expect(decoded).toEqual(example);
  });
});

describe('invalid messages are rejected with a readable error', () => {
  const command = EXAMPLES['roster.command.user.create.v1'] as Record<string, any>;

  test('not JSON', () => {
    expect(() => decodeMessage('scimCommands', Buffer.from('{nope'))).toThrow(/not JSON/);
  });

  test('a type the topic does not carry', () => {
    const err = rejection('scimCommands', EXAMPLES['roster.lifecycle.user.reactivated.v1']);
    expect(err.message).toMatch(
      /roster\.lifecycle\.user\.reactivated\.v1.*not carried on roster\.scim-commands\.v1/,
    );
  });

  test('missing envelope id', () => {
    const { id: _id, ...rest } = command;
    expect(rejection('scimCommands', rest).message).toMatch(/\/id/);
  });

  test('malformed traceparent', () => {
    expect(rejection('scimCommands', { ...command, traceparent: 'not-a-trace' }).message).toMatch(
      /\/traceparent/,
    );
  });

  test('an unknown license in userType', () => {
    const bad = clone(command);
    bad.data.user.userType = 'org-gold-license';
    expect(rejection('scimCommands', bad).message).toMatch(/\/data\/user\/userType/);
  });

  test('an IdP quirk (string boolean) that should have been normalized away', () => {
    const bad = clone(command);
    bad.data.user.active = 'True';
    expect(rejection('scimCommands', bad).message).toMatch(/\/data\/user\/active/);
  });

  test('an unexpected property', () => {
    const bad = clone(command);
    bad.data.user.favouriteColour = 'teal';
    expect(rejection('scimCommands', bad).kind).toBe('invalid');
  });

  test('a malformed filter tree inside a PATCH operation', () => {
    const bad = clone(EXAMPLES['roster.command.group.patch.v1']) as Record<string, any>;
    bad.data.operations[0].path.valueFilter.left.op = 'like';
    expect(rejection('scimCommands', bad).message).toMatch(/\/data\/operations\/0\/path\/valueFilter/);
  });

  test('a time that is not a date-time', () => {
    expect(
      rejection('lifecycle', {
        ...(EXAMPLES['roster.lifecycle.user.reactivated.v1'] as object),
        time: 'yesterday',
      }).message,
    ).toMatch(/\/time/);
  });
});

describe('kafka records', () => {
  test('are keyed by tenant and subject and carry the trace context as a header', () => {
    const example = EXAMPLES['roster.command.user.patch.v1'] as Parameters<typeof toKafkaRecord>[0];
    const record = toKafkaRecord(example);
    expect(record.key).toBe(`${example.tenant}:${example.subject}`);
    expect(record.headers.traceparent).toBe(example.traceparent);
    expect(record.headers['content-type']).toBe('application/cloudevents+json');
    expect(JSON.parse(record.value)).toEqual(example);
  });
});

describe('event times', () => {
  test('are RFC 3339 with microseconds, on the wall clock, and grow within a process even in one millisecond', () => {
    const before = Date.now();
    const times = Array.from({ length: 5_000 }, eventTime);
    const after = Date.now();
    for (const time of times) expect(time).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/);
    expect([...times].sort()).toEqual(times);
    expect(new Set(times).size).toBe(times.length);
    // 5,000 in a row may run ahead of the clock by at most 5 ms
    expect(Date.parse(times[0]!)).toBeGreaterThanOrEqual(before);
    expect(Date.parse(times.at(-1)!)).toBeLessThanOrEqual(after + 5);
  });
});
