import { randomUUID } from 'node:crypto';
import { type Actor, type Command, type EventOfType, envelope } from '@roster/contracts';
import { commandTooLarge } from '@roster/scim';
import { childTraceparent } from '@roster/service-kit';
import type { FastifyRequest } from 'fastify';

const SOURCE = '/roster/ingress';

/** Which IdP is calling, from its User-Agent (for the audit trail; behaviour never depends on it). */
const clientOf = (userAgent: string | undefined): string | undefined => {
  const ua = userAgent?.toLowerCase() ?? '';
  if (ua.includes('okta')) return 'okta';
  if (ua.includes('azure') || ua.includes('entra') || ua.includes('microsoft')) return 'entra';
  return undefined;
};

export const actorOf = (request: FastifyRequest): Actor => {
  const client = clientOf(request.headers['user-agent']);
  return { kind: 'scim-token', id: request.scimIdentity.tokenId, ...(client ? { client } : {}) };
};

const headerValue = (value: string | string[] | undefined): string | undefined =>
  Array.isArray(value) ? value.join(',') : value;

/**
 * A command for the SCIM call being handled: tenant from the token, trace context continued
 * from the caller's `traceparent` (or a new trace), If-Match passed through verbatim. Content too
 * large for one Kafka message is refused here (413), before anything is published.
 */
export const commandFor = <T extends Command['type']>(
  request: FastifyRequest,
  type: T,
  subject: string,
  data: Omit<EventOfType<T>['data'], 'actor' | 'ifMatch'>,
): Command => {
  const tooLarge = commandTooLarge(data);
  if (tooLarge) throw tooLarge;
  const id = randomUUID();
  const ifMatch = headerValue(request.headers['if-match']);
  return envelope(
    type,
    {
      id,
      source: SOURCE,
      tenant: request.scimIdentity.tenant,
      subject,
      correlationid: id,
      traceparent: childTraceparent(headerValue(request.headers.traceparent)),
    },
    { ...data, actor: actorOf(request), ...(ifMatch ? { ifMatch } : {}) } as EventOfType<T>['data'],
  ) as Command;
};
