import { randomUUID } from 'node:crypto';
import { isSpanContextValid, trace } from '@opentelemetry/api';
import { type Actor, type Command, type EventOfType, envelope } from '@roster/contracts';
import { commandTooLarge } from '@roster/scim';
import { childTraceparent, formatTraceparent } from '@roster/service-kit';
import type { FastifyRequest } from 'fastify';
import { describeCommand } from '../http/request-telemetry.ts';

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
 * The trace context a command continues: the span handling this request while tracing is on
 * (itself a child of the caller's `traceparent`, which the HTTP instrumentation extracted), so
 * the envelope and the OTel trace are one; without tracing, a child of the caller's `traceparent`
 * (or a new trace).
 */
const traceparentOf = (request: FastifyRequest): string => {
  const active = trace.getActiveSpan()?.spanContext();
  if (active && isSpanContextValid(active))
    return formatTraceparent({
      traceId: active.traceId,
      spanId: active.spanId,
      flags: active.traceFlags.toString(16).padStart(2, '0'),
    });
  return childTraceparent(headerValue(request.headers.traceparent));
};

/**
 * A command for the SCIM call being handled: tenant from the token, trace context of the call,
 * If-Match passed through verbatim; the request's span and logs learn its type and correlation
 * id. Content too large for one Kafka message is refused here (413), before anything is published.
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
  const command = envelope(
    type,
    {
      id,
      source: SOURCE,
      tenant: request.scimIdentity.tenant,
      subject,
      correlationid: id,
      traceparent: traceparentOf(request),
    },
    { ...data, actor: actorOf(request), ...(ifMatch ? { ifMatch } : {}) } as EventOfType<T>['data'],
  ) as Command;
  describeCommand(request, command);
  return command;
};
