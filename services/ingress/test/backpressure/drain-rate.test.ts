import { describe, expect, test } from 'vitest';
import { DrainRate } from '../../src/backpressure/drain-rate.ts';

/** A clock the test moves by hand. */
const manualClock = () => {
  let now = 0;
  return { now: () => now, advance: (ms: number) => (now += ms) };
};

describe('drain rate', () => {
  test('a steady stream of results converges on its rate', () => {
    const clock = manualClock();
    const rate = new DrainRate({ timeConstantMs: 1_000, now: clock.now });
    for (let i = 0; i < 1_000; i++) {
      clock.advance(20);
      rate.record();
    }
    // Halfway to the next result: between the estimate's peaks (just after one) and troughs.
    clock.advance(10);
    expect(rate.perSecond()).toBeCloseTo(50, 0);
  });

  test('follows a change of pace within a few time constants', () => {
    const clock = manualClock();
    const rate = new DrainRate({ timeConstantMs: 1_000, now: clock.now });
    for (let i = 0; i < 500; i++) {
      clock.advance(10);
      rate.record();
    }
    for (let i = 0; i < 50; i++) {
      clock.advance(100);
      rate.record();
    }
    clock.advance(50);
    expect(rate.perSecond()).toBeGreaterThan(9);
    expect(rate.perSecond()).toBeLessThan(11);
  });

  test('fades to nothing once results stop', () => {
    const clock = manualClock();
    const rate = new DrainRate({ timeConstantMs: 1_000, now: clock.now });
    rate.record(100);
    clock.advance(10_000);
    expect(rate.perSecond()).toBeLessThan(0.01);
  });

  test('starts at zero', () => {
    expect(new DrainRate().perSecond()).toBe(0);
  });
});
