import { ScimError, scimErrors } from './errors.ts';

/**
 * Every limit Roster puts on SCIM input, in one place, sized for production: a request becomes
 * one Kafka command (Apache Kafka's default `message.max.bytes` is 1 MiB) and its resource one
 * MongoDB document (at most 16 MiB of BSON, at most 100 levels deep). The ingress checks them
 * before anything is published; the status service checks what only it can see (the resource a
 * PATCH produces). Advertised in /ServiceProviderConfig and listed in the README ("Limits").
 */
export const LIMITS = {
  /** Characters of any string value: URLs and certificates fit, a 900 KB "email" does not. */
  maxStringLength: 2_048,
  /** Serialized canonical User (JSON bytes): real users are ~2 KB; 64 KiB fits in any message. */
  maxUserBytes: 65_536,
  /**
   * Members of one group. Members are stored one document each and travel as deltas (a change
   * carries the ids one request named), so no message or document grows with the group; the
   * limit bounds what a rename or a deletion re-evaluates, and one GET of the whole group.
   */
  maxGroupMembers: 100_000,
  /** Items of one multi-valued attribute in one request (also members added or removed by one PATCH operation). */
  maxMultiValuedItems: 1_000,
  /** Operations in one PatchOp: IdPs send a handful; more is a client bug or an attack. */
  maxPatchOperations: 100,
  /** JSON bytes of the normalized content one command carries: half of Kafka's 1 MiB, for the envelope and headroom. */
  maxCommandBytes: 524_288,
  /** Nesting of a request body: the deepest SCIM body (Bulk → PatchOp → extension → manager) is under 10. */
  maxBodyDepth: 32,
  /** Characters of a filter or PATCH path: a 1,000-id Entra removal written as a path filter fits. */
  maxFilterLength: 65_536,
  /** Attribute expressions (comparisons and `pr`) in one filter: one per id of a 1,000-id removal, and some. */
  maxFilterComparisons: 1_024,
  /**
   * Depth of the parsed filter tree, counting parentheses, `not`, `[…]` and every and/or level
   * (a chain of n terms is stored balanced, ⌈log2 n⌉ levels): the stored command and its MongoDB
   * query stay far from the 100-level BSON nesting limit.
   */
  maxFilterDepth: 24,
  /**
   * Comparisons in a PATCH value filter that is not a plain list (`value eq "a" or …`, one Set
   * lookup per element): any other filter is evaluated on every element of the attribute.
   */
  maxValueFilterComparisons: 32,
  /** Operations in one Bulk request (RFC 7644 §3.7.4; answered 413 beyond). */
  maxBulkOperations: 100,
  /** Bytes of one Bulk request body (RFC 7644 §3.7.4; answered 413 beyond). */
  maxBulkPayloadBytes: 1_048_576,
  /** Largest page (`count`), advertised as filter.maxResults. */
  maxResults: 200,
  /** startIndex beyond this is clamped (the page past the end of any real directory: empty). */
  maxStartIndex: 2_147_483_647,
} as const;

/** A string value within maxStringLength; `label` names the attribute in the 400 invalidValue. */
export const checkString = (value: string, label: string): void => {
  if (value.length > LIMITS.maxStringLength) {
    throw scimErrors.invalidValue(
      `'${label}' is ${value.length} characters long; at most ${LIMITS.maxStringLength} are allowed`,
    );
  }
};

/** The items of one multi-valued attribute in one request: 400 tooMany beyond maxMultiValuedItems. */
export const checkItemCount = (count: number, label: string): void => {
  if (count > LIMITS.maxMultiValuedItems) {
    throw scimErrors.tooMany(
      `'${label}' has ${count} values in one request; at most ${LIMITS.maxMultiValuedItems} are allowed`,
    );
  }
};

export const checkPatchOperationCount = (count: number): void => {
  if (count > LIMITS.maxPatchOperations) {
    throw scimErrors.tooMany(
      `${count} operations in one PATCH; at most ${LIMITS.maxPatchOperations} are allowed`,
    );
  }
};

/** Depth of a parsed JSON body (objects and arrays), stopping as soon as it is too deep. */
export const checkBodyDepth = (body: unknown): void => {
  const pending: [unknown, number][] = [[body, 1]];
  for (let next = pending.pop(); next; next = pending.pop()) {
    const [value, depth] = next;
    if (typeof value !== 'object' || value === null) continue;
    if (depth > LIMITS.maxBodyDepth) {
      throw scimErrors.invalidSyntax(
        `The request body is nested more than ${LIMITS.maxBodyDepth} levels deep`,
      );
    }
    for (const child of Array.isArray(value) ? value : Object.values(value)) pending.push([child, depth + 1]);
  }
};

const jsonBytes = (value: unknown): number => Buffer.byteLength(JSON.stringify(value));

/** The content a command carries must fit one Kafka message with room for the envelope: 413 beyond. */
export const commandTooLarge = (data: unknown): ScimError | undefined => {
  const bytes = jsonBytes(data);
  return bytes > LIMITS.maxCommandBytes
    ? new ScimError(413, `The request carries ${bytes} bytes; at most ${LIMITS.maxCommandBytes} are accepted`)
    : undefined;
};

/** A User (as it would be stored) within maxUserBytes, else 400 invalidValue. */
export const userTooLarge = (user: object): ScimError | undefined => {
  const bytes = jsonBytes(user);
  return bytes > LIMITS.maxUserBytes
    ? scimErrors.invalidValue(`The User would be ${bytes} bytes; at most ${LIMITS.maxUserBytes} are allowed`)
    : undefined;
};

/** A Group of `memberCount` members within maxGroupMembers, else 400 invalidValue. */
export const groupTooLarge = (memberCount: number): ScimError | undefined =>
  memberCount > LIMITS.maxGroupMembers
    ? scimErrors.invalidValue(
        `The Group would have ${memberCount} members; at most ${LIMITS.maxGroupMembers} are allowed`,
      )
    : undefined;

/** RFC 7644 §3.4.2.4: startIndex < 1 means 1; a startIndex past maxStartIndex is past every result. */
export const clampStartIndex = (startIndex: number | undefined): number =>
  Math.min(LIMITS.maxStartIndex, Math.max(1, startIndex ?? 1));

/** RFC 7644 §3.4.2.4: a negative count means 0; more than maxResults is capped. */
export const clampCount = (count: number | undefined): number =>
  Math.min(LIMITS.maxResults, Math.max(0, count ?? LIMITS.maxResults));
