import { waitFor } from '@roster/test-support';
import { expect, test } from 'vitest';
import { newUser } from '../src/fixtures.ts';
import type { ScimClient } from '../src/scim-client.ts';
import { withStackAndOrganization } from '../src/suite.ts';

let scim: ScimClient;

// A deadline no write can meet: every write answers 503 while the pipeline still completes it.
withStackAndOrganization(
  (suite) => {
    scim = suite.scim;
  },
  { ROSTER_SCIM_DEADLINE_MS: '1' },
);

test('a write past its deadline answers 503 with Retry-After, and the retry does not create a duplicate', async () => {
  const userName = 'slow@example.com';
  const first = await scim.post('/Users', newUser(userName));
  expect(first.status).toBe(503);
  expect(Number(first.headers.get('retry-after'))).toBeGreaterThan(0);
  expect(first.body).toMatchObject({ status: '503' });

  const filter = `/Users?filter=${encodeURIComponent(`userName eq "${userName}"`)}`;
  const stored = await waitFor(
    async () => {
      const list = await scim.get(filter);
      return list.body.totalResults === 1 ? list.body.Resources[0] : undefined;
    },
    { what: 'the timed-out create to complete' },
  );

  // The IdP retries the same request; it may time out again, but never makes a second user.
  const retry = await scim.post('/Users', newUser(userName));
  expect([201, 503]).toContain(retry.status);
  if (retry.status === 201) expect(retry.body.id).toBe(stored.id);
  await waitFor(async () => ((await scim.get(filter)).body.totalResults === 1 ? true : undefined));
  const all = await scim.get('/Users');
  expect(all.body.Resources.filter((u: { userName: string }) => u.userName === userName)).toHaveLength(1);
});
