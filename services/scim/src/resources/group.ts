import { type GroupAttributes, GroupAttributes as GroupAttributesSchema } from '@roster/contracts';
import { readAttributes, validated } from './read-body.ts';

/**
 * A SCIM Group body (POST/PUT) → canonical GroupAttributes. Members need only `value` (Okta sends
 * no `type`); `display` is kept, `type` and `$ref` are dropped (the status service knows both).
 * No `members` means an empty group.
 */
export const normalizeGroup = (body: unknown): GroupAttributes =>
  validated(GroupAttributesSchema, { members: [], ...readAttributes(body, 'Group') });
