import { type Logger, pino } from 'pino';

export type { Logger };

/** JSON logs on stdout (one object per line), named by service. */
export const createLogger = (service: string, level = process.env.LOG_LEVEL || 'info'): Logger =>
  pino({ name: service, level, base: { service } });
