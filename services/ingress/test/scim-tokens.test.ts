import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ScimTokens, TOKEN_RECORD_TTL_MS } from '../src/store/scim-tokens.ts';
import { startTestStore, type TestStore } from './store.ts';

let store: TestStore;
let tokens: ScimTokens;

beforeAll(async () => {
  store = await startTestStore();
  tokens = new ScimTokens(store.db);
  await tokens.ensureIndexes();
});

afterAll(async () => {
  await store?.close();
});

const SECOND = 1_000;
const HOUR = 3_600 * SECOND;
const at = (start: Date, ms: number) => new Date(start.getTime() + ms);

describe('SCIM tokens', () => {
  it('an expired secret never works again: rotating it is refused, whatever grace is asked', async () => {
    const tenant = randomUUID();
    const start = new Date();
    const old = await tokens.issue(tenant, start);
    expect(await tokens.rotate(tenant, old.id, SECOND, start)).toBeDefined();
    expect(await tokens.verify(old.token, at(start, 500))).toEqual({ tokenId: old.id, tenant });
    expect(await tokens.verify(old.token, at(start, SECOND))).toBeUndefined();

    expect(await tokens.rotate(tenant, old.id, HOUR, at(start, 2 * SECOND))).toBeUndefined();
    expect(await tokens.verify(old.token, at(start, 2 * SECOND))).toBeUndefined();
  });

  it('rotating a token in its grace period only ever shortens the grace', async () => {
    const tenant = randomUUID();
    const start = new Date();
    const old = await tokens.issue(tenant, start);
    await tokens.rotate(tenant, old.id, 10 * SECOND, start);
    await tokens.rotate(tenant, old.id, HOUR, at(start, SECOND));
    expect(await tokens.verify(old.token, at(start, 9 * SECOND))).toBeDefined();
    expect(await tokens.verify(old.token, at(start, 10 * SECOND))).toBeUndefined();

    await tokens.rotate(tenant, old.id, SECOND, at(start, 2 * SECOND));
    expect(await tokens.verify(old.token, at(start, 3 * SECOND))).toBeUndefined();
  });

  it('revoking wins over a grace period; a revoked token does not rotate', async () => {
    const tenant = randomUUID();
    const start = new Date();
    const old = await tokens.issue(tenant, start);
    const successor = await tokens.rotate(tenant, old.id, HOUR, start);
    expect(await tokens.revoke(tenant, old.id, at(start, SECOND))).toBe(true);
    expect(await tokens.verify(old.token, at(start, SECOND))).toBeUndefined();
    expect(await tokens.rotate(tenant, old.id, HOUR, at(start, SECOND))).toBeUndefined();
    expect(await tokens.revoke(tenant, old.id, at(start, SECOND))).toBe(false);
    expect(await tokens.verify(successor!.token, at(start, SECOND))).toEqual({
      tokenId: successor!.id,
      tenant,
    });
  });

  it('a revocation through another replica takes effect within the record TTL; through this one, at once', async () => {
    const tenant = randomUUID();
    const start = new Date();
    const replica = new ScimTokens(store.db);
    const first = await tokens.issue(tenant, start);
    const second = await tokens.issue(tenant, start);
    for (const issued of [first, second])
      expect(await replica.verify(issued.token, start)).toEqual({ tokenId: issued.id, tenant });

    expect(await tokens.revoke(tenant, first.id, start)).toBe(true);
    expect(await tokens.verify(first.token, start)).toBeUndefined();
    expect(await replica.verify(first.token, at(start, TOKEN_RECORD_TTL_MS - 1))).toBeDefined();
    expect(await replica.verify(first.token, at(start, TOKEN_RECORD_TTL_MS))).toBeUndefined();

    expect(await replica.revoke(tenant, second.id, start)).toBe(true);
    expect(await replica.verify(second.token, start)).toBeUndefined();
  });

  it('a token is only checked within its own org, and a wrong secret for a known id is refused', async () => {
    const tenant = randomUUID();
    const issued = await tokens.issue(tenant);
    expect(await tokens.rotate(randomUUID(), issued.id, 0)).toBeUndefined();
    const forged = `${issued.token.slice(0, -1)}${issued.token.endsWith('A') ? 'B' : 'A'}`;
    expect(await tokens.verify(forged)).toBeUndefined();
    expect(await tokens.verify(issued.token)).toEqual({ tokenId: issued.id, tenant });
  });
});
