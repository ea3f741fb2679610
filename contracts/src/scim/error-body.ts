import { type Static, Type } from '@sinclair/typebox';
import { ERROR_MESSAGE_URN } from './urns.ts';

/** The scimType values of RFC 7644 §3.12; @roster/scim's `scimErrors` knows the HTTP status of each. */
export const SCIM_TYPES = [
  'invalidFilter',
  'tooMany',
  'uniqueness',
  'mutability',
  'invalidSyntax',
  'invalidPath',
  'noTarget',
  'invalidValue',
  'invalidVers',
  'sensitive',
] as const;
export type ScimType = (typeof SCIM_TYPES)[number];

/** A SCIM error response body; command results carry it from the status service to the ingress. */
export const ScimErrorBody = Type.Object(
  {
    schemas: Type.Tuple([Type.Literal(ERROR_MESSAGE_URN)]),
    status: Type.String({
      pattern: '^[1-5][0-9]{2}$',
      description: 'HTTP status code as a string (RFC 7644 §3.12)',
    }),
    scimType: Type.Optional(Type.Union(SCIM_TYPES.map((t) => Type.Literal(t)))),
    detail: Type.Optional(Type.String()),
  },
  { additionalProperties: false, $id: 'ScimErrorBody' },
);
export type ScimErrorBody = Static<typeof ScimErrorBody>;
