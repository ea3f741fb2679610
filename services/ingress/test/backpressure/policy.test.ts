import { describe, expect, test } from 'vitest';
import {
  MAX_RETRY_AFTER_SECONDS,
  MIN_RETRY_AFTER_SECONDS,
  refusalOf,
  secondsToDrain,
} from '../../src/backpressure/policy.ts';

const LIMITS = { commandLag: 1_000, writesInFlight: 512 };
const CALM = { commandLag: 10, writesInFlight: 3, resultsPerSecond: 100, answersPerSecond: 50 };

describe('Retry-After from the drain rate', () => {
  test('is the time the current rate needs for the backlog, rounded up', () => {
    expect(secondsToDrain(1_500, 100)).toBe(15);
    expect(secondsToDrain(101, 100)).toBe(2);
  });

  test('is bounded: at least 1 s, at most 60 s, the maximum when nothing drains', () => {
    expect(secondsToDrain(1, 1_000)).toBe(MIN_RETRY_AFTER_SECONDS);
    expect(secondsToDrain(100_000, 10)).toBe(MAX_RETRY_AFTER_SECONDS);
    expect(secondsToDrain(10, 0)).toBe(MAX_RETRY_AFTER_SECONDS);
    expect(MIN_RETRY_AFTER_SECONDS).toBe(1);
    expect(MAX_RETRY_AFTER_SECONDS).toBe(60);
  });
});

describe('backpressure policy', () => {
  test('admits writes while the pipeline is within its limits', () => {
    expect(refusalOf(CALM, LIMITS)).toBeUndefined();
    expect(refusalOf({ ...CALM, commandLag: 1_000, writesInFlight: 511 }, LIMITS)).toBeUndefined();
  });

  test('refuses past the command lag, backing off for as long as the results need to drain it', () => {
    expect(refusalOf({ ...CALM, commandLag: 2_000 }, LIMITS)).toMatchObject({
      reason: 'command_lag',
      retryAfterSeconds: 20,
    });
  });

  test('refuses once this replica holds its limit of writes in flight, at the rate it answers them', () => {
    expect(refusalOf({ ...CALM, writesInFlight: 512 }, LIMITS)).toMatchObject({
      reason: 'writes_in_flight',
      retryAfterSeconds: 11,
    });
  });

  test('an unknown command lag (broker unreachable) refuses nothing by itself', () => {
    expect(refusalOf({ ...CALM, commandLag: undefined }, LIMITS)).toBeUndefined();
  });
});
