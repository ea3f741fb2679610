// Entry point of the ingress process.
import { createLogger } from '@roster/service-kit';
import { loadConfig } from './config.ts';
import { startIngress } from './service.ts';

const log = createLogger('ingress');
const ingress = await startIngress(loadConfig(), log);
// The one line supervisors (the dev stack, tests) wait for; logs are JSON lines.
process.stdout.write(`READY ${JSON.stringify({ service: 'ingress', url: ingress.url })}\n`);
const shutdown = async (signal: string) => {
  log.info({ signal }, 'stopping');
  await ingress.stop();
  process.exit(0);
};
process.once('SIGTERM', shutdown);
process.once('SIGINT', shutdown);
