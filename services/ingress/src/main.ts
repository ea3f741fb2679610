// Entry point of the ingress process.
import { runService } from '@roster/service-kit';
import { loadConfig } from './config.ts';
import { startIngress } from './service.ts';

await runService('ingress', (log) => startIngress(loadConfig(), log));
