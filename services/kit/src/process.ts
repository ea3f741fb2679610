import { createLogger, type Logger } from './log.ts';

export interface StartedService {
  /** Where the service listens, if it serves HTTP. */
  url?: string | undefined;
  stop(): Promise<void>;
}

/**
 * The life of a service process: start it, print the one `READY {...}` line supervisors (the dev
 * stack, tests) wait for — logs are JSON lines beside it — and stop cleanly on SIGTERM/SIGINT
 * (exit 0), or exit 1 if stopping fails.
 */
export const runService = async (
  name: string,
  start: (log: Logger) => Promise<StartedService>,
): Promise<void> => {
  const log = createLogger(name);
  const service = await start(log);
  process.stdout.write(
    `READY ${JSON.stringify({ service: name, ...(service.url ? { url: service.url } : {}) })}\n`,
  );
  const shutdown = async (signal: string) => {
    log.info({ signal }, 'stopping');
    try {
      await service.stop();
      process.exit(0);
    } catch (err) {
      log.error({ err }, 'unclean stop');
      process.exit(1);
    }
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
  // Started by a supervisor over an IPC channel (the dev stack): stop if the supervisor is gone.
  if (process.send) process.once('disconnect', () => void shutdown('supervisor gone'));
};
