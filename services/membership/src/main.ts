// Entry point of the membership service process.
import { createLogger } from '@roster/service-kit';
import { loadConfig } from './config.ts';
import { startMembership } from './service.ts';

const log = createLogger('membership');
const service = await startMembership(loadConfig(), log);
// The one line supervisors (the dev stack, tests) wait for; logs are JSON lines.
process.stdout.write(`READY ${JSON.stringify({ service: 'membership' })}\n`);
const shutdown = async (signal: string) => {
  log.info({ signal }, 'stopping');
  await service.stop();
  process.exit(0);
};
process.once('SIGTERM', shutdown);
process.once('SIGINT', shutdown);
