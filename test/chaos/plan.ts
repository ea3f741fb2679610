/**
 * What the chaos run provisions, decided up front from each user's index (pure, deterministic), and
 * what every user must look like afterwards given the writes the stack acknowledged.
 */
export const DEFAULT_LICENSE = 'org-free-license';
export const DEFAULT_WORKSPACE = 'Everyone';
/** Workspaces of the org; pushed groups of the same name link to them. */
export const WORKSPACES = [DEFAULT_WORKSPACE, 'Sales', 'Engineering', 'Support'] as const;
/** Groups the IdP pushes; the last one has no workspace of its name, so it links to nothing. */
export const GROUPS = ['Sales', 'Engineering', 'Support', 'Alumni Newsletter'] as const;
const LICENSES = ['org-full-license', 'org-free-license', 'org-restricted-license', undefined] as const;
export const AUTO_CAPTURED_DOMAIN = 'example.com';

export type License = Exclude<(typeof LICENSES)[number], undefined>;
export type Dialect = 'okta' | 'entra';

export interface PlannedUser {
  index: number;
  userName: string;
  userType: License | undefined;
  admin: boolean;
  /** A later PATCH: a new title, and for some a new userType. */
  update: { title: string; userType?: License } | undefined;
  /** Groups the IdP pushes the user into (while active), and the one it removes them from again. */
  groups: string[];
  removedFrom: string | undefined;
  /** Content items seeded before the deprovisioning. */
  content: string[];
  deprovision: boolean;
  dialect: Dialect;
}

/** Every 50th user is an Organization Admin (never deprovisioned); one in ten is deprovisioned. */
export const planUser = (index: number): PlannedUser => {
  const admin = index % 50 === 0;
  const domain = index % 10 === 7 ? 'partner.test' : AUTO_CAPTURED_DOMAIN;
  const userType = LICENSES[index % LICENSES.length];
  const groups = index % 5 < 3 ? [GROUPS[index % 5]!] : [];
  if (index % 11 === 0) groups.push(GROUPS[3]);
  const deprovision = !admin && index % 10 === 3;
  return {
    index,
    userName: `chaos-${index}@${domain}`,
    userType,
    admin,
    update:
      index % 3 === 0
        ? { title: `Title ${index}`, ...(index % 7 === 0 ? { userType: LICENSES[(index + 1) % 3] } : {}) }
        : undefined,
    groups: deprovision ? [] : groups,
    removedFrom: !deprovision && groups.length > 0 && index % 13 === 1 ? groups[0] : undefined,
    content: deprovision && index % 20 === 3 ? [`Demo ${index}`, `Webinar ${index}`] : [],
    deprovision,
    dialect: index % 2 === 0 ? 'okta' : 'entra',
  };
};

/** What the stack acknowledged about one user; a user with a write never acknowledged is not judged. */
export interface AcknowledgedUser {
  planned: PlannedUser;
  id: string | undefined;
  userType: License | undefined;
  title: string | undefined;
  active: boolean;
  groups: Set<string>;
  /** Titles of the content items whose seeding was acknowledged. */
  content: string[];
  unacknowledged: string[];
}

export const newAcknowledged = (planned: PlannedUser): AcknowledgedUser => ({
  planned,
  id: undefined,
  userType: undefined,
  title: undefined,
  active: false,
  groups: new Set(),
  content: [],
  unacknowledged: [],
});

export interface ExpectedState {
  license: License | null;
  role: 'organization-admin' | 'member';
  workspaces: string[];
}

/** The README's rules: the userType's license (or the org default), the default workspace for auto-captured domains, pushed groups' workspaces. */
export const expectedState = (user: AcknowledgedUser): ExpectedState => {
  const linked = [...user.groups].filter((group) => (WORKSPACES as readonly string[]).includes(group));
  const captured = user.planned.userName.endsWith(`@${AUTO_CAPTURED_DOMAIN}`) ? [DEFAULT_WORKSPACE] : [];
  return {
    license: user.active ? (user.userType ?? DEFAULT_LICENSE) : null,
    role: user.planned.admin ? 'organization-admin' : 'member',
    workspaces: user.active ? [...captured, ...linked].sort() : [],
  };
};
