/** JSON values as SCIM reads them. */

export type JsonObject = Record<string, unknown>;

/** A JSON object: not null, not an array. */
export const isJsonObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** A member of a JSON object by case-insensitive key (`Operations`, `op`, `Schemas`, …). */
export const member = (object: JsonObject, name: string): unknown =>
  Object.entries(object).find(([key]) => key.toLowerCase() === name)?.[1];

/** RFC 7643 §2.5: null, "" and [] are unassigned, like a missing attribute. */
export const isAssigned = (value: unknown): boolean =>
  value !== undefined && value !== null && value !== '' && !(Array.isArray(value) && value.length === 0);
