import { CommandError } from '../errors.ts';
import { isPlainObject } from '../storage/values.ts';

/**
 * Collation support, reduced to what matters for equality and uniqueness: strength 1 and 2 compare
 * strings case-insensitively (strength 1 also ignores diacritics); everything else is binary
 * ("simple"). Locale-specific ordering beyond that is not modelled.
 */
export type FoldKind = 'simple' | 'ci' | 'ci-ai';

export function foldKind(collation: unknown): FoldKind {
  if (collation === undefined || collation === null) return 'simple';
  if (!isPlainObject(collation)) throw new CommandError('TypeMismatch', 'collation must be an object');
  if (typeof collation.locale !== 'string') {
    throw new CommandError('FailedToParse', "BSON field 'collation.locale' is missing but a required field");
  }
  if (collation.locale === 'simple') return 'simple';
  const strength = collation.strength ?? 3;
  if (strength === 1) return 'ci-ai';
  if (strength === 2) return 'ci';
  return 'simple';
}

const DIACRITICS = /\p{M}/gu;

export function folder(kind: FoldKind): ((s: string) => string) | undefined {
  if (kind === 'ci') return (s) => s.toLowerCase();
  if (kind === 'ci-ai') return (s) => s.normalize('NFD').replace(DIACRITICS, '').toLowerCase();
  return undefined;
}

/** Copy of a value with every string folded (field names untouched). */
export function foldValue<T>(v: T, fold: (s: string) => string): T {
  if (typeof v === 'string') return fold(v) as T;
  if (Array.isArray(v)) return v.map((x) => foldValue(x, fold)) as T;
  if (isPlainObject(v)) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = foldValue(x, fold);
    return out as T;
  }
  return v;
}
