import { ScimError } from '@roster/contracts';

/** SCIM resources carry a weak ETag built from their version counter (RFC 7644 §3.14). */
export const etagOf = (version: number): string => `W/"${version}"`;

/** `If-Match` holds when absent, `*`, or any listed ETag equals the current one (weak comparison). */
export const ifMatchHolds = (ifMatch: string | undefined, version: number): boolean => {
  if (ifMatch === undefined || ifMatch.trim() === '*') return true;
  const current = String(version);
  return ifMatch.split(',').some((tag) => tag.trim().replace(/^W\//, '').replace(/^"|"$/g, '') === current);
};

export const preconditionFailed = (version: number): ScimError =>
  new ScimError(412, `If-Match does not match the current version ${etagOf(version)}`);

export const notFound = (kind: 'User' | 'Group', id: string): ScimError =>
  new ScimError(404, `${kind} ${id} not found`);
