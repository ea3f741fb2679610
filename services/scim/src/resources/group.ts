import { type GroupAttributes, GroupAttributes as GroupAttributesSchema } from '@roster/contracts';
import { groupTooLarge } from '../limits.ts';
import { readAttributes, validated } from './read-body.ts';

/**
 * A SCIM Group body (POST/PUT) → canonical GroupAttributes. Members need only `value` (Okta sends
 * no `type`); `display` is kept, `type` and `$ref` are dropped (the status service knows both).
 * No `members` means an empty group. One body carries at most limits.ts maxMultiValuedItems members
 * (coerce.ts); larger groups grow by PATCHes.
 */
export const normalizeGroup = (body: unknown): GroupAttributes => {
  const group = validated(GroupAttributesSchema, { members: [], ...readAttributes(body, 'Group') });
  const tooLarge = groupTooLarge(group);
  if (tooLarge) throw tooLarge;
  return group;
};
