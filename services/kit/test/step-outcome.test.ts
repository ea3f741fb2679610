import type { StepOutcome } from '@roster/contracts';
import { describe, expect, test } from 'vitest';
import { stepOutcome } from '../src/messages/step-outcome.ts';
import { traceIdOf } from '../src/trace.ts';

const CAUSE = {
  id: 'change-1',
  tenant: 'org-1',
  correlationid: 'command-1',
  traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
};

const data = (id: string, type: 'User' | 'Group' = 'User'): StepOutcome['data'] => ({
  commandId: 'command-1',
  step: 'membership',
  resource: { type, id, sequence: 1 },
  result: 'succeeded',
});

describe('step outcomes', () => {
  test('answer their cause: same tenant and correlation, caused by it, a child span of its trace', () => {
    const outcome = stepOutcome('/roster/membership', CAUSE, data('user-1'));
    expect(outcome).toMatchObject({
      type: 'roster.outcome.step.v1',
      source: '/roster/membership',
      tenant: 'org-1',
      subject: 'user-1',
      correlationid: 'command-1',
      causationid: 'change-1',
      data: data('user-1'),
    });
    expect(traceIdOf(outcome.traceparent)).toBe(traceIdOf(CAUSE.traceparent));
    expect(outcome.traceparent).not.toBe(CAUSE.traceparent);
  });

  test('a redelivered cause is answered with the same id; other resources, causes and stages differ', () => {
    const id = stepOutcome('/roster/membership', CAUSE, data('user-1')).id;
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-a[0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(stepOutcome('/roster/membership', CAUSE, data('user-1')).id).toBe(id);
    const others = [
      stepOutcome('/roster/membership', CAUSE, data('user-2')),
      stepOutcome('/roster/membership', CAUSE, data('user-1', 'Group')),
      stepOutcome('/roster/membership', { ...CAUSE, id: 'change-2' }, data('user-1')),
      stepOutcome('/roster/membership', CAUSE, data('user-1'), { stage: 'done' }),
    ].map((o) => o.id);
    expect(new Set([id, ...others]).size).toBe(others.length + 1);
  });
});
