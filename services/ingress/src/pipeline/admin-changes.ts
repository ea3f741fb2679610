import type { ClientSession } from 'mongodb';
import type { OrgChangeOutbox } from '../store/org-change-outbox.ts';
import type { Transactions } from '../store/transactions.ts';
import type { OrgChangeRelay } from './org-change-relay.ts';
import type { OrgChange } from './org-events.ts';

/** What an admin change decided inside its transaction: its answer, and the announcement if it changed anything. */
export interface Decided<T> {
  outcome: T;
  announce?: OrgChange;
}

/**
 * Admin changes that consumers must hear about (workspaces, org settings): the change and its
 * announcement commit in one transaction (a change refused or failed leaves neither), then the
 * relay publishes it. The answer waits for the publish only up to `announceWaitMs`: a committed
 * change is announced later if the broker is slow or gone, never lost.
 */
export class AdminChanges {
  readonly #transactions: Transactions;
  readonly #outbox: OrgChangeOutbox;
  readonly #relay: OrgChangeRelay;
  readonly #announceWaitMs: number;

  constructor(deps: {
    transactions: Transactions;
    outbox: OrgChangeOutbox;
    relay: OrgChangeRelay;
    announceWaitMs: number;
  }) {
    this.#transactions = deps.transactions;
    this.#outbox = deps.outbox;
    this.#relay = deps.relay;
    this.#announceWaitMs = deps.announceWaitMs;
  }

  /** Runs `change` (every read and write with the session) and commits it with its announcement. */
  async commit<T>(change: (session: ClientSession) => Promise<Decided<T>>): Promise<T> {
    const { outcome, announce } = await this.#transactions.run(async (session) => {
      const decided = await change(session);
      if (decided.announce) await this.#outbox.add(session, decided.announce);
      return decided;
    });
    if (announce) await this.#relay.announce(announce.tenant, this.#announceWaitMs);
    return outcome;
  }
}
