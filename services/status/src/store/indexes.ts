import type { Collection, Document } from 'mongodb';

const NAMESPACE_NOT_FOUND = 26;
const INDEX_NOT_FOUND = 27;

const hasCode = (err: unknown, code: number): boolean =>
  typeof err === 'object' && err !== null && (err as { code?: unknown }).code === code;

/**
 * Drops index `name` when it exists with another uniqueness than `unique` (an index whose
 * uniqueness changed between releases), so that creating it afterwards just works on an upgraded
 * deployment. Several replicas starting at once may race: an index already dropped is fine.
 */
export const dropIfUniquenessDiffers = async <T extends Document>(
  collection: Collection<T>,
  name: string,
  unique: boolean,
): Promise<void> => {
  const indexes = await collection
    .listIndexes()
    .toArray()
    .catch((err: unknown) => {
      if (hasCode(err, NAMESPACE_NOT_FOUND)) return [];
      throw err;
    });
  const existing = indexes.find((index) => index.name === name);
  if (!existing || Boolean(existing.unique) === unique) return;
  try {
    await collection.dropIndex(name);
  } catch (err) {
    if (!hasCode(err, INDEX_NOT_FOUND)) throw err;
  }
};
