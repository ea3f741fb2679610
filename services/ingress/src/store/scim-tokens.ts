import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { SCIM_TOKENS_COLLECTION, type ScimTokenDocument } from '@roster/contracts';
import type { Collection, Db } from 'mongodb';

const PREFIX = 'rst';
const TOKEN = /^rst_([0-9a-f-]{36})_([A-Za-z0-9_-]{43})$/;

const hashOf = (secret: string): string => createHash('sha256').update(secret).digest('hex');

/** Not revoked, and not past its expiry (ISO-8601 UTC strings order like the instants they name). */
const activeAt = (now: Date) => ({
  revokedAt: { $exists: false },
  $or: [{ expiresAt: { $exists: false } }, { expiresAt: { $gt: now.toISOString() } }],
});

export interface IssuedToken {
  id: string;
  token: string;
  createdAt: string;
}

export interface TokenIdentity {
  tokenId: string;
  tenant: string;
}

/**
 * How long a replica trusts a token record it read: a revocation (or a shortened grace) made
 * through another replica takes effect within this time; through this replica, at once.
 */
export const TOKEN_RECORD_TTL_MS = 5_000;
/** Records kept at most (a deployment has a few tokens per organization; the oldest go first). */
const MAX_CACHED_RECORDS = 10_000;

/**
 * SCIM bearer tokens: `rst_<id>_<secret>`. Only a SHA-256 of the secret is stored; the id finds
 * the record, the hash is compared in constant time. The token is shown once, when issued.
 * Written only by the admin API. Records read to verify a token are kept for
 * TOKEN_RECORD_TTL_MS, so a busy IdP connection costs one store read every few seconds instead
 * of one per SCIM call; expiry is still checked on every call.
 */
export class ScimTokens {
  readonly #tokens: Collection<ScimTokenDocument>;
  readonly #records = new Map<string, { record: ScimTokenDocument; readAt: number }>();

  constructor(db: Db) {
    this.#tokens = db.collection<ScimTokenDocument>(SCIM_TOKENS_COLLECTION);
  }

  async ensureIndexes(): Promise<void> {
    await this.#tokens.createIndex({ tenant: 1, createdAt: -1 }, { name: 'tenant_created' });
  }

  async issue(tenant: string, now = new Date()): Promise<IssuedToken> {
    const id = randomUUID();
    const secret = randomBytes(32).toString('base64url');
    const createdAt = now.toISOString();
    await this.#tokens.insertOne({ _id: id, tenant, secretHash: hashOf(secret), createdAt });
    return { id, token: `${PREFIX}_${id}_${secret}`, createdAt };
  }

  /**
   * Issues a successor and lets the old token live for `graceMs` more (0 = revoke now), so an
   * admin can paste the new token into the IdP without a provisioning outage. Only an active
   * token rotates (undefined otherwise), and a grace only ever shortens: a token already in its
   * grace period keeps the earlier expiry, so an expired or revoked secret never works again.
   */
  async rotate(
    tenant: string,
    tokenId: string,
    graceMs: number,
    now = new Date(),
  ): Promise<IssuedToken | undefined> {
    const expiresAt = new Date(now.getTime() + graceMs).toISOString();
    const updated = await this.#tokens.updateOne(
      { _id: tokenId, tenant, ...activeAt(now) },
      graceMs > 0 ? { $min: { expiresAt } } : { $set: { revokedAt: now.toISOString() } },
    );
    if (updated.matchedCount === 0) return undefined;
    this.#records.delete(tokenId);
    return this.issue(tenant, now);
  }

  /** Revokes at once, whatever grace a rotation gave; false for an unknown or already revoked token. */
  async revoke(tenant: string, tokenId: string, now = new Date()): Promise<boolean> {
    const updated = await this.#tokens.updateOne(
      { _id: tokenId, tenant, revokedAt: { $exists: false } },
      { $set: { revokedAt: now.toISOString() } },
    );
    this.#records.delete(tokenId);
    return updated.matchedCount > 0;
  }

  async list(tenant: string): Promise<Omit<ScimTokenDocument, 'secretHash'>[]> {
    return this.#tokens
      .find({ tenant }, { projection: { secretHash: 0 }, sort: { createdAt: -1 } })
      .toArray() as Promise<Omit<ScimTokenDocument, 'secretHash'>[]>;
  }

  /** The tenant a presented token authenticates, or undefined for an unknown, revoked or expired one. */
  async verify(presented: string, now = new Date()): Promise<TokenIdentity | undefined> {
    const match = TOKEN.exec(presented);
    if (!match) return undefined;
    const [, id, secret] = match as unknown as [string, string, string];
    const record = await this.#record(id, now);
    if (!record || record.revokedAt) return undefined;
    if (record.expiresAt && record.expiresAt <= now.toISOString()) return undefined;
    const expected = Buffer.from(record.secretHash, 'hex');
    const actual = Buffer.from(hashOf(secret), 'hex');
    return timingSafeEqual(expected, actual) ? { tokenId: id, tenant: record.tenant } : undefined;
  }

  /** The token's record, as read at most TOKEN_RECORD_TTL_MS ago (an unknown id is read every time). */
  async #record(id: string, now: Date): Promise<ScimTokenDocument | null> {
    const kept = this.#records.get(id);
    if (kept && now.getTime() - kept.readAt < TOKEN_RECORD_TTL_MS) return kept.record;
    const record = await this.#tokens.findOne({ _id: id });
    this.#records.delete(id);
    if (!record) return null;
    if (this.#records.size >= MAX_CACHED_RECORDS) this.#records.delete(this.#records.keys().next().value!);
    this.#records.set(id, { record, readAt: now.getTime() });
    return record;
  }
}
