import type { Collection, Document } from 'mongodb';

const INDEX_OPTIONS_CONFLICT = 85;
const NAMESPACE_NOT_FOUND = 26;
const INDEX_NOT_FOUND = 27;

const hasCode = (err: unknown, ...codes: number[]): boolean =>
  typeof err === 'object' && err !== null && codes.includes((err as { code?: unknown }).code as number);

/** How long entries of one collection live; `undefined` keeps them forever. */
export type RetentionSeconds = number | undefined;

const UNIT_SECONDS = { s: 1, m: 60, h: 3_600, d: 86_400 } as const;

/** The retention the environment variable `name` sets: `14d`, `12h`, `30m`, `90s`, or `forever`. */
export const retentionOf = (env: NodeJS.ProcessEnv, name: string, fallback: string): RetentionSeconds => {
  const raw = env[name] || fallback;
  if (raw === 'forever') return undefined;
  const match = /^(\d+)([smhd])$/.exec(raw);
  if (!match || Number(match[1]) < 1)
    throw new Error(`${name} must be a duration such as 14d, 12h, 30m, 90s, or forever; got ${raw}`);
  return Number(match[1]) * UNIT_SECONDS[match[2] as keyof typeof UNIT_SECONDS];
};

/**
 * Keeps a TTL index `name` on the date `field` at `retention`: MongoDB's TTL monitor then removes
 * each entry that many seconds after its date (entries without the field never expire). A changed
 * retention replaces the index (drop and create work on every MongoDB; the index only holds dates),
 * and `undefined` removes it.
 */
export const ensureRetention = async <T extends Document>(
  collection: Collection<T>,
  { name, field, retention }: { name: string; field: string; retention: RetentionSeconds },
): Promise<void> => {
  const drop = async () => {
    try {
      await collection.dropIndex(name);
    } catch (err) {
      if (!hasCode(err, INDEX_NOT_FOUND, NAMESPACE_NOT_FOUND)) throw err;
    }
  };
  if (retention === undefined) return drop();
  const create = () => collection.createIndex({ [field]: 1 }, { name, expireAfterSeconds: retention });
  try {
    await create();
  } catch (err) {
    if (!hasCode(err, INDEX_OPTIONS_CONFLICT)) throw err;
    await drop();
    await create();
  }
};
