// Entry point of the licensing consumer process.
import { createLogger } from '@roster/service-kit';
import { loadConfig } from './config.ts';
import { startLicensing } from './service.ts';

const log = createLogger('licensing');
const service = await startLicensing(loadConfig(), log);
// The one line supervisors (the dev stack, tests) wait for; logs are JSON lines.
process.stdout.write(`READY ${JSON.stringify({ service: 'licensing' })}\n`);
const shutdown = async (signal: string) => {
  log.info({ signal }, 'stopping');
  await service.stop();
  process.exit(0);
};
process.once('SIGTERM', shutdown);
process.once('SIGINT', shutdown);
