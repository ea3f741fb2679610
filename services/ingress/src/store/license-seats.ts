import { LICENSE_SEATS_COLLECTION, type License, type LicenseSeatsDocument } from '@roster/contracts';
import type { Collection, Db } from 'mongodb';

/** Reads the seats in use per license type (the licensing service writes them). */
export class LicenseSeatsReader {
  readonly #seats: Collection<LicenseSeatsDocument>;

  constructor(db: Db) {
    this.#seats = db.collection<LicenseSeatsDocument>(LICENSE_SEATS_COLLECTION);
  }

  /** Seats in use in the org, by license type (a type without any is absent). */
  async inUse(tenant: string): Promise<Map<License, number>> {
    const seats = await this.#seats.find({ tenant }).toArray();
    return new Map(seats.map((s) => [s.license, s.inUse]));
  }
}
