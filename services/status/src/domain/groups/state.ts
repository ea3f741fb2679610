import type { GroupMembersChange, GroupProperties } from '@roster/contracts';

/**
 * A pushed group as the directory decides about it: its own attributes and how many members it
 * has. The members themselves are documents of their own, read only where a command names them.
 * Its workspace link is the membership consumer's business.
 */
export interface GroupState {
  id: string;
  tenant: string;
  attributes: GroupProperties;
  memberCount: number;
  version: number;
  created: string;
  lastModified: string;
}

export type GroupEvent =
  | {
      type: 'GroupCreated';
      id: string;
      tenant: string;
      attributes: GroupProperties;
      memberIds: string[];
      at: string;
    }
  | {
      type: 'GroupChanged';
      attributes: GroupProperties;
      members: GroupMembersChange;
      memberCount: number;
      at: string;
    }
  | { type: 'GroupDeleted'; at: string };
