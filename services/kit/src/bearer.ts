import { createHash, timingSafeEqual } from 'node:crypto';

const digest = (value: string): Buffer => createHash('sha256').update(value).digest();

/**
 * A check of `Authorization: Bearer <token>` against one expected token, in constant time (both
 * sides are hashed first, so neither the length nor the content leaks through timing).
 */
export const bearerCheck = (expectedToken: string): ((authorization: string | undefined) => boolean) => {
  const expected = digest(expectedToken);
  return (authorization) => {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
    return match !== null && timingSafeEqual(digest(match[1]!), expected);
  };
};
