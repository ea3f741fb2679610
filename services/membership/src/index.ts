export { loadConfig, type MembershipConfig } from './config.ts';
export * from './domain/desired.ts';
export * from './domain/group-change.ts';
export {
  MEMBERSHIP_GROUP_ID,
  MEMBERSHIP_ORG_GROUP_ID,
  type RunningMembership,
  startMembership,
} from './service.ts';
export {
  GROUP_MEMBERS_COLLECTION,
  GROUPS_PROJECTION_COLLECTION,
  ORG_EVENTS_COLLECTION,
  USERS_PROJECTION_COLLECTION,
} from './store/membership.ts';
