import { describe, expect, test } from 'vitest';
import { loadConfig } from '../src/config.ts';

const REQUIRED = {
  KAFKA_BROKERS: '127.0.0.1:9092',
  MONGO_URL: 'mongodb://127.0.0.1:27017',
  ROSTER_ADMIN_TOKEN: 'x',
};

describe('ingress settings', () => {
  test('published org-change outbox entries are kept 14 days unless ROSTER_ORG_OUTBOX_RETENTION says otherwise', () => {
    expect(loadConfig(REQUIRED).orgOutboxRetention).toBe(14 * 86_400);
    expect(loadConfig({ ...REQUIRED, ROSTER_ORG_OUTBOX_RETENTION: '12h' }).orgOutboxRetention).toBe(
      12 * 3_600,
    );
    expect(
      loadConfig({ ...REQUIRED, ROSTER_ORG_OUTBOX_RETENTION: 'forever' }).orgOutboxRetention,
    ).toBeUndefined();
    for (const invalid of ['7', '0d', '1w'])
      expect(() => loadConfig({ ...REQUIRED, ROSTER_ORG_OUTBOX_RETENTION: invalid })).toThrow(
        /ROSTER_ORG_OUTBOX_RETENTION/,
      );
  });
});
