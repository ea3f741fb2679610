import { ERROR_MESSAGE_URN, type ScimErrorBody, type ScimType } from '@roster/contracts';
import type { ResourceTypeName } from './schemas/definitions.ts';

/** The HTTP status each scimType of RFC 7644 §3.12 is defined for. */
export const SCIM_TYPE_STATUS: Readonly<Record<ScimType, number>> = {
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
};

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
      schemas: [ERROR_MESSAGE_URN],
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

/** The 404 of a resource that does not exist (or is no longer visible through SCIM). */
export const resourceNotFound = (resourceType: ResourceTypeName, id: string): ScimError =>
  new ScimError(404, `${resourceType} ${id} not found`);
