import type { ListQuery } from '../../store/directory.ts';

/** Largest page the service returns; advertised as filter.maxResults in /ServiceProviderConfig. */
export const MAX_PAGE_SIZE = 200;

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

/** RFC 7644 §3.4.2.4: startIndex < 1 means 1; a negative count means 0; count is capped. */
export const toListQuery = (q: ListQuerystring): ListQuery => ({
  ...(q.filter !== undefined ? { filter: q.filter } : {}),
  ...(q.sortBy !== undefined ? { sortBy: q.sortBy } : {}),
  ...(q.sortOrder !== undefined ? { sortOrder: q.sortOrder } : {}),
  startIndex: Math.max(1, q.startIndex ?? 1),
  count: Math.min(MAX_PAGE_SIZE, Math.max(0, q.count ?? MAX_PAGE_SIZE)),
});
