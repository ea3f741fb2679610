import { describe, expect, test } from 'vitest';
import { ChangeBudgets } from '../../src/http/change-budget.ts';

/** A clock the test moves by hand. */
const manualClock = () => {
  let now = 0;
  return { now: () => now, advance: (ms: number) => (now += ms) };
};

const budgetsOf = (perSecond: number, maxWaitMs = 1_000) => {
  const clock = manualClock();
  return { clock, budgets: new ChangeBudgets({ perSecond, maxWaitMs, now: clock.now }) };
};

describe('change budgets', () => {
  test("writes within a second's budget are admitted at once", () => {
    const { budgets } = budgetsOf(100);
    for (let i = 0; i < 4; i++) expect(budgets.charge('a', 25)).toEqual({ admitted: true, waitMs: 0 });
  });

  test('a write larger than the budget is admitted and leaves a debt the next write waits out', () => {
    const { budgets, clock } = budgetsOf(100, 5_000);
    expect(budgets.charge('a', 301)).toEqual({ admitted: true, waitMs: 0 });
    // balance 100 - 301 = -201: two seconds to repay
    const next = budgets.charge('a', 1);
    expect(next.admitted && next.waitMs).toBeCloseTo(2_010, 6);
    clock.advance(2_020);
    // the wait reserved its change: the debt is repaid, nothing more
    expect(budgets.charge('a', 1)).toEqual({ admitted: true, waitMs: 0 });
  });

  test('a wait longer than the limit is refused with the seconds to retry after, and costs nothing', () => {
    const { budgets, clock } = budgetsOf(100);
    budgets.charge('a', 351);
    expect(budgets.charge('a', 100)).toEqual({ admitted: false, retryAfterSeconds: 3 });
    expect(budgets.charge('a', 100)).toEqual({ admitted: false, retryAfterSeconds: 3 });
    clock.advance(2_520);
    expect(budgets.charge('a', 100)).toEqual({ admitted: true, waitMs: 0 });
  });

  test("the balance refills up to one second's worth, not more", () => {
    const { budgets, clock } = budgetsOf(100);
    clock.advance(60_000);
    expect(budgets.charge('a', 101)).toEqual({ admitted: true, waitMs: 0 });
    const after = budgets.charge('a', 1);
    expect(after.admitted && after.waitMs).toBeCloseTo(10, 6);
  });

  test("one organization's debt leaves another's budget whole", () => {
    const { budgets } = budgetsOf(100);
    budgets.charge('heavy', 5_000);
    expect(budgets.charge('heavy', 1).admitted).toBe(false);
    expect(budgets.charge('light', 1)).toEqual({ admitted: true, waitMs: 0 });
  });
});
