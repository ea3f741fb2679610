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

  test('backpressure starts past 1000 commands of lag or 512 writes in flight unless ROSTER_BACKPRESSURE_* say otherwise', () => {
    expect(loadConfig(REQUIRED).backpressure).toEqual({ commandLag: 1_000, writesInFlight: 512 });
    expect(
      loadConfig({
        ...REQUIRED,
        ROSTER_BACKPRESSURE_COMMAND_LAG: '50',
        ROSTER_BACKPRESSURE_WRITES_IN_FLIGHT: '4',
      }).backpressure,
    ).toEqual({ commandLag: 50, writesInFlight: 4 });
    expect(() => loadConfig({ ...REQUIRED, ROSTER_BACKPRESSURE_WRITES_IN_FLIGHT: '0' })).toThrow(
      /ROSTER_BACKPRESSURE_WRITES_IN_FLIGHT/,
    );
  });
});
