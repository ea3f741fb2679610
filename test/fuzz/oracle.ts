import { assertValid, ScimErrorBody } from '@roster/contracts';
import type { RawResponse } from '../src/raw-http.ts';

/** Why a response breaks the fuzzing properties, with a signature that groups repeats of one bug. */
export interface Violation {
  signature: string;
  description: string;
}

export interface Judged {
  method: string;
  path: string;
  /** The request was sent while an outage was injected (or shortly after), so 503 is honest. */
  duringOutage: boolean;
  bodyBytes: number;
}

// The ingress's body limit: past it the server may answer 413 and close before reading the rest,
// so the client sees EPIPE/ECONNRESET while still writing (HTTP allows that refusal).
const BODY_LIMIT = 1_048_576;

// Ids, numbers and quoted values vary between repeats of one bug; the route and the words do not.
const shapeOf = (text: string) =>
  text
    .replace(/"[^"]*"/g, '"…"')
    .replace(/[0-9a-f]{8}-[0-9a-f-]{27}/gi, 'ID')
    .replace(/\d+/g, 'N')
    .slice(0, 100);

const routeOf = (path: string) => `/${path.split('?')[0]!.split('/')[1] ?? ''}`;

/**
 * The properties every answer must have: no 5xx except an honest 503 (with Retry-After) during an
 * injected outage, and every refusal a SCIM error body (RFC 7644 §3.12) whose status is the HTTP status.
 */
export const violationOf = (request: Judged, outcome: RawResponse | Error): Violation | undefined => {
  const where = `${request.method} ${routeOf(request.path)}`;
  if (outcome instanceof Error) {
    if (request.bodyBytes > BODY_LIMIT && /EPIPE|ECONNRESET/.test(outcome.message)) return undefined;
    return {
      signature: `${where} no answer ${shapeOf(outcome.message)}`,
      description: `no answer: ${outcome.message}`,
    };
  }
  const { status, json, headers } = outcome;
  const said = `${status} ${json?.detail ?? outcome.text.slice(0, 200)}`;
  if (status === 503 && request.duringOutage) {
    return headers['retry-after']
      ? undefined
      : { signature: `${where} 503 without Retry-After`, description: said };
  }
  if (status >= 500)
    return { signature: `${where} ${status} ${shapeOf(json?.detail ?? outcome.text)}`, description: said };
  if (status < 400) return undefined;
  try {
    assertValid(ScimErrorBody, json);
  } catch (error) {
    // One framework error (json.code) is one bug, whatever route it shows up on.
    return {
      signature: json?.code
        ? `${status} not a SCIM error body (${json.code})`
        : `${where} ${status} not a SCIM error body`,
      description: `${said} — ${(error as Error).message}`,
    };
  }
  if (json.status !== String(status)) {
    return { signature: `${where} ${status} body says ${json.status}`, description: said };
  }
  if (!String(headers['content-type']).startsWith('application/scim+json')) {
    return { signature: `${where} ${status} content-type ${headers['content-type']}`, description: said };
  }
  return undefined;
};
