import type {
  License,
  LicenseDocument,
  LicensingOutcomeRecord,
  OrganizationDocument,
  OrgRole,
  UserSnapshot,
} from '@roster/contracts';

/** How many recent outcomes a license document keeps to answer redeliveries exactly. */
export const OUTCOME_HISTORY = 20;

/** The directory change being decided (the parts licensing needs). */
export interface LicensingChange {
  tenant: string;
  commandId: string;
  sequence: number;
  /** When the status service published the change; becomes `adminSince` when the user turns admin. */
  time: string;
  user: UserSnapshot;
}

/** The org settings licensing depends on; undefined when the organization is unknown. */
export type LicensingSettings = Pick<OrganizationDocument, 'defaultLicense' | 'seatLimits'>;

export interface LicensingContext {
  now: string;
  /** The user's license document, if licensing has seen the user before. */
  current: LicenseDocument | undefined;
  org: LicensingSettings | undefined;
  /** Seats in use per license in the org, read in the same transaction as the write. */
  seatsInUse: Partial<Record<License, number>>;
}

export type LicensingDecision =
  /** At or below the recorded sequence: nothing changes; the original result is republished. */
  | { kind: 'redelivery'; outcome: LicensingOutcomeRecord }
  | {
      kind: 'apply';
      next: LicenseDocument;
      /** Seat to give back (the license the user held before), if any. */
      release: License | undefined;
      /** Seat to take (counted against the limit the decision checked), if any. */
      claim: License | undefined;
      outcome: LicensingOutcomeRecord;
    };

export const roleOf = (user: UserSnapshot): OrgRole =>
  user.organizationAdmin ? 'organization-admin' : 'member';

/** Active in the directory: neither deactivated nor SCIM-deleted. */
export const isActive = (user: UserSnapshot): boolean => user.active && !user.scimDeleted;

export const seatLimitMessage = (license: License, limit: number, inUse: number): string =>
  `No ${license} seat left in this organization (limit ${limit}, ${inUse} in use). Free a seat or raise the limit.`;

const NO_DEFAULT_LICENSE =
  'The user has no userType and the organization has no default license, so no license could be assigned.';

/**
 * A change at or below the recorded sequence gets its original result and reason again, with the
 * user's current license and role: replaying an old change must not roll the provisioning view back.
 */
const redeliveryOutcome = (change: LicensingChange, current: LicenseDocument): LicensingOutcomeRecord => {
  const original = current.outcomes.find((o) => o.sequence === change.sequence) ?? {
    // Older than the history kept: the newer state supersedes whatever this change did.
    sequence: change.sequence,
    commandId: change.commandId,
    result: 'succeeded' as const,
  };
  return { ...original, license: current.license, role: current.role };
};

/**
 * decide(change, state) for the licensing step. Pure: the shell reads the user's document and
 * the org's seat counts in one transaction, decides here and writes `next` plus the seat moves in
 * the same transaction (a concurrent claim of the same pool makes the transaction retry).
 *
 * - license: `userType`, else the org's default license; held only while the user is active.
 * - role: `organization-admin` when the snapshot says so, else `member` (independent of seats).
 * - adminSince: set when the user becomes an active admin, kept while they stay one, cleared otherwise.
 * - a seat over the org's limit is refused: the user keeps the seat they had (or none) and the
 *   outcome is `rejected` with a reason the org admin can read.
 */
export const decideLicensing = (change: LicensingChange, ctx: LicensingContext): LicensingDecision => {
  const { current, org } = ctx;
  if (current && change.sequence <= current.sequence)
    return { kind: 'redelivery', outcome: redeliveryOutcome(change, current) };

  const user = change.user;
  const active = isActive(user);
  const role = roleOf(user);
  const requested: License | null = user.userType ?? org?.defaultLicense ?? null;
  const held: License | null = current?.license ?? null;
  const wanted: License | null = active ? requested : null;

  let license: License | null = wanted;
  let release: License | undefined;
  let claim: License | undefined;
  let reason: LicensingOutcomeRecord['reason'];

  if (active && requested === null) {
    license = held;
    reason = { code: 'no_default_license', message: NO_DEFAULT_LICENSE };
  } else if (wanted !== held) {
    if (wanted !== null) {
      const limit = org?.seatLimits?.[wanted];
      const inUse = ctx.seatsInUse[wanted] ?? 0;
      if (limit !== undefined && inUse >= limit) {
        license = held;
        reason = { code: 'seat_limit_reached', message: seatLimitMessage(wanted, limit, inUse) };
      } else {
        claim = wanted;
      }
    }
    if (license !== held && held !== null) release = held;
  }

  const activeAdmin = active && role === 'organization-admin';
  const adminSince = activeAdmin ? (current?.adminSince ?? change.time) : undefined;
  const outcome: LicensingOutcomeRecord = {
    sequence: change.sequence,
    commandId: change.commandId,
    result: reason ? 'rejected' : 'succeeded',
    ...(reason ? { reason } : {}),
    license,
    role,
  };
  const next: LicenseDocument = {
    _id: user.id,
    tenant: change.tenant,
    license,
    requestedLicense: requested,
    role,
    ...(adminSince ? { adminSince } : {}),
    active,
    sequence: change.sequence,
    updatedAt: ctx.now,
    outcomes: [...(current?.outcomes ?? []), outcome].slice(-OUTCOME_HISTORY),
  };
  return { kind: 'apply', next, release, claim, outcome };
};
