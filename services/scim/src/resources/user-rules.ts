import { DEFAULT_ROLE_TYPE, LICENSES, ORGANIZATION_ADMIN_ROLE } from '@roster/contracts';
import { scimErrors } from '../errors.ts';

/** Roster's product rules on User attributes, shared by POST/PUT bodies and PATCH values. */

export interface UserRuleOptions {
  /** The organization's role type (`roles[].type` that carries Roster roles); default `synthesia_role`. */
  readonly roleType?: string | undefined;
}

/** `userType` is the license; absent stays absent (the default workspace license applies later). */
export const checkLicense = (userType: unknown): void => {
  if (userType === undefined || (LICENSES as readonly unknown[]).includes(userType)) return;
  throw scimErrors.invalidValue(
    `userType ${JSON.stringify(userType)} is not a Roster license; accepted values: ${LICENSES.join(', ')}`,
  );
};

/** Roles of the organization's role type (compared case-insensitively) only accept organization-admin. */
export const checkRole = (role: { type?: unknown; value?: unknown }, options: UserRuleOptions): void => {
  const roleType = options.roleType ?? DEFAULT_ROLE_TYPE;
  if (typeof role.type !== 'string' || role.type.toLowerCase() !== roleType.toLowerCase()) return;
  if (role.value === ORGANIZATION_ADMIN_ROLE) return;
  throw scimErrors.invalidValue(
    `roles of type '${roleType}' only accept the value '${ORGANIZATION_ADMIN_ROLE}', got ${JSON.stringify(role.value)}`,
  );
};
