import { type UserAttributes, UserAttributes as UserAttributesSchema } from '@roster/contracts';
import { readAttributes, validated } from './read-body.ts';
import { checkLicense, checkRole, type UserRuleOptions } from './user-rules.ts';

/**
 * A SCIM User body (POST/PUT) → canonical UserAttributes: names matched case-insensitively,
 * the enterprise extension (URN-keyed object or URN-qualified names) under `enterprise`,
 * string booleans converted, `active` defaulting to true, and the license and role rules applied.
 */
export const normalizeUser = (body: unknown, options: UserRuleOptions = {}): UserAttributes => {
  const attributes = readAttributes(body, 'User');
  checkLicense(attributes.userType);
  for (const role of (attributes.roles as { type?: unknown; value?: unknown }[] | undefined) ?? []) {
    checkRole(role, options);
  }
  return validated(UserAttributesSchema, { active: true, ...attributes });
};
