import { trace } from '@opentelemetry/api';
import { type Logger, pino } from 'pino';

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

/** JSON logs on stdout (one object per line), named by service, with trace ids and no credentials. */
export const createLogger = (service: string, level = process.env.LOG_LEVEL || 'info'): Logger =>
  pino({
    name: service,
    level,
    base: { service },
    mixin: traceFields,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
  });
