import type { Collection, Document } from 'mongodb';

const INDEX_OPTIONS_CONFLICT = 85;
const NAMESPACE_NOT_FOUND = 26;
const INDEX_NOT_FOUND = 27;

const hasCode = (err: unknown, ...codes: number[]): boolean =>
  typeof err === 'object' && err !== null && codes.includes((err as { code?: unknown }).code as number);

/** How long entries of one collection live; `undefined` keeps them forever. */
export type RetentionSeconds = number | undefined;

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
