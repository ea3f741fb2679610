import { type Static, Type } from '@sinclair/typebox';
import { MESSAGE } from './urns.ts';

/** The scimType values of RFC 7644 §3.12, with the HTTP status each one is defined for. */
export const SCIM_TYPE_STATUS = {
  invalidFilter: 400,
  tooMany: 400,
  uniqueness: 409,
  mutability: 400,
  invalidSyntax: 400,
  invalidPath: 400,
  noTarget: 400,
  invalidValue: 400,
  invalidVers: 400,
  sensitive: 403,
} as const;
export type ScimType = keyof typeof SCIM_TYPE_STATUS;

export const ScimErrorBody = Type.Object(
  {
    schemas: Type.Tuple([Type.Literal(MESSAGE.error)]),
    status: Type.String({
      pattern: '^[1-5][0-9]{2}$',
      description: 'HTTP status code as a string (RFC 7644 §3.12)',
    }),
    scimType: Type.Optional(
      Type.Union((Object.keys(SCIM_TYPE_STATUS) as ScimType[]).map((t) => Type.Literal(t))),
    ),
    detail: Type.Optional(Type.String()),
  },
  { additionalProperties: false, $id: 'ScimErrorBody' },
);
export type ScimErrorBody = Static<typeof ScimErrorBody>;

/** A SCIM protocol error; the HTTP layer answers it as `toBody()` with `httpStatus`. */
export class ScimError extends Error {
  readonly httpStatus: number;
  readonly scimType: ScimType | undefined;
  readonly detail: string;

  constructor(httpStatus: number, detail: string, scimType?: ScimType) {
    super(scimType ? `${scimType}: ${detail}` : detail);
    this.name = 'ScimError';
    this.httpStatus = httpStatus;
    this.scimType = scimType;
    this.detail = detail;
  }

  toBody(): ScimErrorBody {
    return {
      schemas: [MESSAGE.error],
      status: String(this.httpStatus),
      ...(this.scimType ? { scimType: this.scimType } : {}),
      detail: this.detail,
    };
  }
}

const typed =
  (scimType: ScimType) =>
  (detail: string): ScimError =>
    new ScimError(SCIM_TYPE_STATUS[scimType], detail, scimType);

/** One factory per scimType: `scimErrors.invalidFilter('Unknown attribute "foo"')`. */
export const scimErrors: { readonly [T in ScimType]: (detail: string) => ScimError } = {
  invalidFilter: typed('invalidFilter'),
  tooMany: typed('tooMany'),
  uniqueness: typed('uniqueness'),
  mutability: typed('mutability'),
  invalidSyntax: typed('invalidSyntax'),
  invalidPath: typed('invalidPath'),
  noTarget: typed('noTarget'),
  invalidValue: typed('invalidValue'),
  invalidVers: typed('invalidVers'),
  sensitive: typed('sensitive'),
};

export const isScimError = (error: unknown): error is ScimError => error instanceof ScimError;
