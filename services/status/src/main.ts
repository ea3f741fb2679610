// Entry point of the status service process.
import { createLogger } from '@roster/service-kit';
import { loadConfig } from './config.ts';
import { startStatus } from './service.ts';

const log = createLogger('status');
const service = await startStatus(loadConfig(), log);
// The one line supervisors (the dev stack, tests) wait for; logs are JSON lines.
process.stdout.write(`READY ${JSON.stringify({ service: 'status' })}\n`);
const shutdown = async (signal: string) => {
  log.info({ signal }, 'stopping');
  await service.stop();
  process.exit(0);
};
process.once('SIGTERM', shutdown);
process.once('SIGINT', shutdown);
