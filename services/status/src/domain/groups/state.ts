import type { GroupAttributes } from '@roster/contracts';

/** A pushed group as the directory holds it. Its workspace link is the membership consumer's business. */
export interface GroupState {
  id: string;
  tenant: string;
  attributes: GroupAttributes;
  version: number;
  created: string;
  lastModified: string;
}

export type GroupEvent =
  | { type: 'GroupCreated'; id: string; tenant: string; attributes: GroupAttributes; at: string }
  | {
      type: 'GroupChanged';
      attributes: GroupAttributes;
      membersAdded: string[];
      membersRemoved: string[];
      at: string;
    }
  | { type: 'GroupDeleted'; at: string };
