import { type UserAttributes, UserAttributes as UserAttributesSchema } from '@roster/contracts';
import { userTooLarge } from '../limits.ts';
import { readAttributes, validated } from './read-body.ts';
import { checkLicense, checkRole, type UserRuleOptions } from './user-rules.ts';

/**
 * A SCIM User body (POST/PUT) → canonical UserAttributes: names matched case-insensitively,
 * the enterprise extension (URN-keyed object or URN-qualified names) under `enterprise`,
 * string booleans converted, `active` defaulting to true, the license and role rules applied, and
 * the size limit held (400 invalidValue beyond limits.ts maxUserBytes).
 */
export const normalizeUser = (body: unknown, options: UserRuleOptions = {}): UserAttributes => {
  const attributes = readAttributes(body, 'User');
  checkLicense(attributes.userType);
  for (const role of (attributes.roles as { type?: unknown; value?: unknown }[] | undefined) ?? []) {
    checkRole(role, options);
  }
  const user = validated(UserAttributesSchema, { active: true, ...attributes });
  const tooLarge = userTooLarge(user);
  if (tooLarge) throw tooLarge;
  return user;
};
