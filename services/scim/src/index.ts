// The public face of @roster/scim, by concept (see README.md for where each piece lives).
export { isScimError, resourceNotFound, SCIM_TYPE_STATUS, ScimError, scimErrors } from './errors.ts';
export { equalityAlternatives, equalityClauses } from './filter/equality-clauses.ts';
export { elementMatches, evaluateFilter, type FilterSubject } from './filter/evaluate.ts';
export { type GroupsOfMember, memberIdsNamed } from './filter/group-members.ts';
export { parseFilter, parsePatchPath } from './filter/parser.ts';
export { filterToMongo, type MongoQuery } from './filter/to-mongo.ts';
export {
  checkBodyDepth,
  clampCount,
  clampStartIndex,
  commandTooLarge,
  groupTooLarge,
  LIMITS,
  userTooLarge,
} from './limits.ts';
export { checkSchemas, MESSAGE } from './messages.ts';
export { patchGroup, patchUserAttributes } from './patch/apply.ts';
export { type MemberPlan, planGroupPatch } from './patch/group-members.ts';
export { normalizePatch } from './patch/normalize.ts';
export { AttributeProjection, type ProjectionRequest, projectResource } from './projection/attributes.ts';
export { type MongoSort, toMongoSort } from './projection/sort.ts';
export { normalizeGroup } from './resources/group.ts';
export { renderGroup, renderUser } from './resources/render.ts';
export { normalizeUser } from './resources/user.ts';
export type { UserRuleOptions } from './resources/user-rules.ts';
export {
  lookupAttribute,
  type ResolvedAttribute,
  resolveAttribute,
  resolveSubAttribute,
  schemaByUrn,
} from './schemas/attribute-lookup.ts';
export * from './schemas/definitions.ts';
export * from './schemas/resource-types.ts';
export { validAttributes, withoutUndeclared } from './schemas/validate.ts';
export { etagOf, ifMatchHolds, ifNoneMatchMatches, preconditionFailed } from './versions.ts';
