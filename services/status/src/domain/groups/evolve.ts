import type { GroupEvent, GroupState } from './state.ts';

/** evolve(state, event) → state for groups; a deleted group has no state. */
export const evolveGroup = (state: GroupState | undefined, event: GroupEvent): GroupState | undefined => {
  switch (event.type) {
    case 'GroupCreated':
      return {
        id: event.id,
        tenant: event.tenant,
        attributes: event.attributes,
        memberCount: event.memberIds.length,
        version: 1,
        created: event.at,
        lastModified: event.at,
      };
    case 'GroupChanged':
      if (!state) throw new Error('GroupChanged applied to a group that does not exist');
      return {
        ...state,
        attributes: event.attributes,
        memberCount: event.memberCount,
        version: state.version + 1,
        lastModified: event.at,
      };
    case 'GroupDeleted':
      return undefined;
  }
};
