// Entry point of the content-transfer service process.
import { createLogger } from '@roster/service-kit';
import { loadConfig } from './config.ts';
import { startContentTransfer } from './service.ts';

const log = createLogger('content-transfer');
const service = await startContentTransfer(loadConfig(), log);
// The one line supervisors (the dev stack, tests) wait for; logs are JSON lines.
process.stdout.write(
  `READY ${JSON.stringify({ service: 'content-transfer', ...(service.url ? { url: service.url } : {}) })}\n`,
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
