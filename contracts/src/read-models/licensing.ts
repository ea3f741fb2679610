import type { License, OrgRole } from '../scim/resources.ts';

/**
 * Read models written by the licensing consumer (its only writer); every other service and the
 * admin API may read them.
 *
 * - Seats in use per license for an org: `license_seats.find({ tenant })` — at most one document
 *   per license type (index `{ tenant: 1 }`); a license without a document has 0 seats in use.
 *   Limits are `organizations.seatLimits` (absent = unlimited).
 * - The oldest (active) Organization Admin of an org:
 *   `licenses.find({ tenant, adminSince: { $type: 'string' } }).sort({ adminSince: 1, _id: 1 }).limit(1)`
 *   (index `{ tenant: 1, adminSince: 1 }`).
 */
export const LICENSES_COLLECTION = 'licenses';
export const LICENSE_SEATS_COLLECTION = 'license_seats';

/** What the licensing step last did for a user (kept per recent sequence to answer redeliveries). */
export interface LicensingOutcomeRecord {
  /** The directory change sequence this answers. */
  sequence: number;
  commandId: string;
  result: 'succeeded' | 'rejected';
  reason?: { code: string; message: string };
  license: License | null;
  role: OrgRole;
}

/** One per user (`_id` = the SCIM user id). */
export interface LicenseDocument {
  _id: string;
  tenant: string;
  /** The license whose seat the user holds; null while deactivated or when no seat was available. */
  license: License | null;
  /**
   * The license the directory asks for (userType, else the org's default license), held or not;
   * differs from `license` while a seat limit keeps the user from getting it.
   */
  requestedLicense: License | null;
  role: OrgRole;
  /**
   * ISO time the user became an active Organization Admin (the directory change's time); absent
   * while the user is not an active admin (cleared on demotion and on deactivation).
   */
  adminSince?: string;
  /** Active in the directory (false after deactivation or SCIM DELETE). */
  active: boolean;
  /** The last directory change sequence applied (changes at or below it are redeliveries). */
  sequence: number;
  updatedAt: string;
  /** Outcomes of the last few sequences, newest last, so a redelivery republishes the same outcome. */
  outcomes: LicensingOutcomeRecord[];
}

/** Seats in use for one license type of one org (`_id` = `${tenant}:${license}`). */
export interface LicenseSeatsDocument {
  _id: string;
  tenant: string;
  license: License;
  /** Users holding a seat of this license (active users whose `licenses.license` is this one). */
  inUse: number;
  updatedAt: string;
}

export const licenseSeatsId = (tenant: string, license: License): string => `${tenant}:${license}`;
