import { ScimError } from './errors.ts';

/** SCIM resources carry a weak ETag built from their version counter (RFC 7644 §3.14). */
export const etagOf = (version: number): string => `W/"${version}"`;

/** `If-Match` holds when absent, `*`, or any listed ETag equals the current one (weak comparison). */
export const ifMatchHolds = (ifMatch: string | undefined, version: number): boolean => {
  if (ifMatch === undefined || ifMatch.trim() === '*') return true;
  const current = String(version);
  return ifMatch.split(',').some((tag) => tag.trim().replace(/^W\//, '').replace(/^"|"$/g, '') === current);
};

/** `If-None-Match` matches (a GET answers 304) when it lists `*` or exactly the current ETag. */
export const ifNoneMatchMatches = (ifNoneMatch: string | undefined, version: number): boolean => {
  const etag = etagOf(version);
  return ifNoneMatch?.split(',').some((tag) => tag.trim() === etag || tag.trim() === '*') ?? false;
};

export const preconditionFailed = (version: number): ScimError =>
  new ScimError(412, `If-Match does not match the current version ${etagOf(version)}`);
