import { type GroupAttributes, GroupAttributes as GroupAttributesSchema } from '@roster/contracts';
import { readAttributes, validated } from './read-body.ts';

/**
 * A SCIM Group body (POST/PUT) → canonical GroupAttributes. Members need only `value` (Okta sends
 * no `type`); `type` and `$ref` are dropped; `display` travels with the command but is not stored (a member shows its user's name).
 * No `members` means an empty group. One body carries at most limits.ts maxMultiValuedItems members
 * (coerce.ts); larger groups grow by PATCHes.
 */
export const normalizeGroup = (body: unknown): GroupAttributes =>
  validated(GroupAttributesSchema, { members: [], ...readAttributes(body, 'Group') });
