import { AsyncLocalStorage } from 'node:async_hooks';
import { trace } from '@opentelemetry/api';
import { type DestinationStream, type Logger, pino } from 'pino';

export type { Logger };

/** Wherever they appear in a log object: credentials are never written out. */
const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'authorization',
  '*.authorization',
  'token',
  '*.token',
  'secret',
  '*.secret',
  'password',
  '*.password',
];

/** The active span's ids, so a log line leads to its trace (and back). */
const traceFields = (): Record<string, string> => {
  const context = trace.getActiveSpan()?.spanContext();
  return context && trace.isSpanContextValid(context)
    ? { trace_id: context.traceId, span_id: context.spanId }
    : {};
};

/** Fields every log line written while handling one message carries: its tenant and correlation id. */
const messageContext = new AsyncLocalStorage<Record<string, string>>();

/** Runs `work` so that each line it logs, through any logger, names `fields` (tenant, correlation id). */
export const withLogContext = <T>(fields: Record<string, string>, work: () => T): T =>
  messageContext.run(fields, work);

const contextFields = (): Record<string, string> => {
  const fields = messageContext.getStore();
  return fields ? { ...fields, ...traceFields() } : traceFields();
};

/**
 * JSON logs (one object per line, on stdout unless another destination is given), named by
 * service, with trace ids, the tenant and correlation id of the message being handled, and no credentials.
 */
export const createLogger = (
  service: string,
  level = process.env.LOG_LEVEL || 'info',
  destination?: DestinationStream,
): Logger => {
  const options = {
    name: service,
    level,
    base: { service },
    mixin: contextFields,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
  };
  return destination ? pino(options, destination) : pino(options);
};
