import type { UserSnapshot } from '@roster/contracts';

/** What the handler knows about one user directory change (from the UserChanged envelope). */
export interface UserChangeInput {
  tenant: string;
  sequence: number;
  /** the change's envelope `time`: admin-since is stamped with it, so a redelivery decides the same */
  time: string;
  user: UserSnapshot;
  commandId: string;
  changeId: string;
  correlationid: string;
  traceparent?: string | undefined;
}
