import { describe, expect, test } from 'vitest';
import { loadRetention, retentionWarnings } from '../src/config.ts';

const DAY = 86_400;

describe('retention settings', () => {
  test('defaults: ledger and outbox twice the topics’ 7 days, the audit trail a year', () => {
    expect(loadRetention({})).toEqual({ ledger: 14 * DAY, lifecycleOutbox: 14 * DAY, audit: 365 * DAY });
    expect(retentionWarnings(loadRetention({}))).toEqual([]);
  });

  test('durations in s, m, h or d; `forever` keeps entries', () => {
    expect(
      loadRetention({
        ROSTER_LEDGER_RETENTION: '90s',
        ROSTER_OUTBOX_RETENTION: '12h',
        ROSTER_AUDIT_RETENTION: 'forever',
      }),
    ).toEqual({ ledger: 90, lifecycleOutbox: 12 * 3_600, audit: undefined });
    expect(loadRetention({ ROSTER_AUDIT_RETENTION: '30m' }).audit).toBe(1_800);
  });

  test('anything else is refused at start', () => {
    for (const invalid of ['7', '0d', '-1d', '1w', '1.5d', 'never'])
      expect(() => loadRetention({ ROSTER_AUDIT_RETENTION: invalid })).toThrow(/ROSTER_AUDIT_RETENTION/);
  });

  test('a ledger or outbox kept shorter than its topic is allowed, with a warning each', () => {
    const warnings = retentionWarnings(
      loadRetention({
        ROSTER_LEDGER_RETENTION: '6d',
        ROSTER_OUTBOX_RETENTION: '1h',
        ROSTER_AUDIT_RETENTION: '1d',
      }),
    );
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toMatch(/command ledger.*roster\.scim-commands\.v1/);
    expect(warnings[1]).toMatch(/lifecycle outbox.*roster\.step-outcomes\.v1/);
  });
});
