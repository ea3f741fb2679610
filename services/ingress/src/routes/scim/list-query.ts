import { clampCount, clampStartIndex } from '@roster/scim';
import type { ListQuery } from '../../store/directory.ts';

export interface ListQuerystring {
  filter?: string;
  sortBy?: string;
  sortOrder?: string;
  startIndex?: number;
  count?: number;
  attributes?: string;
  excludedAttributes?: string;
}

/** JSON schema of the list query string (RFC 7644 §3.4.2); integers are coerced by fastify. */
export const listQuerystringSchema = {
  type: 'object',
  properties: {
    filter: { type: 'string' },
    sortBy: { type: 'string' },
    sortOrder: { type: 'string' },
    startIndex: { type: 'integer' },
    count: { type: 'integer' },
    attributes: { type: 'string' },
    excludedAttributes: { type: 'string' },
  },
} as const;

/**
 * RFC 7644 §3.4.2.4: startIndex < 1 means 1, a negative count means 0, count is capped at
 * filter.maxResults; a startIndex past every result (even 1e20) is an empty page, never an error.
 */
export const toListQuery = (q: ListQuerystring): ListQuery => ({
  ...(q.filter !== undefined ? { filter: q.filter } : {}),
  ...(q.sortBy !== undefined ? { sortBy: q.sortBy } : {}),
  ...(q.sortOrder !== undefined ? { sortOrder: q.sortOrder } : {}),
  startIndex: clampStartIndex(q.startIndex),
  count: clampCount(q.count),
});
