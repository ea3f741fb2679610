import type { UserEvent, UserState } from './state.ts';

const touched = (state: UserState, at: string): UserState => ({
  ...state,
  version: state.version + 1,
  lastModified: at,
});

/** evolve(state, event) → state: the only place a user's state changes. */
export const evolveUser = (state: UserState | undefined, event: UserEvent): UserState => {
  if (event.type === 'UserProvisioned') {
    return {
      id: event.id,
      tenant: event.tenant,
      attributes: event.attributes,
      scimDeleted: false,
      version: 1,
      created: event.at,
      lastModified: event.at,
    };
  }
  if (!state) throw new Error(`${event.type} applied to a user that does not exist`);
  switch (event.type) {
    case 'UserAttributesChanged':
      return touched({ ...state, attributes: event.attributes }, event.at);
    case 'UserDeactivated':
      return touched(
        { ...state, attributes: { ...state.attributes, active: false }, scimDeleted: event.scimDeleted },
        event.at,
      );
    case 'UserScimDeleted':
      return touched({ ...state, scimDeleted: true }, event.at);
    case 'UserReactivated':
      return touched(
        { ...state, attributes: { ...state.attributes, active: true }, scimDeleted: false },
        event.at,
      );
    case 'UserResyncRequested':
      return touched({ ...state, needsResync: false }, event.at);
  }
};
