// Entry point of the status service process.
import { runService } from '@roster/service-kit';
import { loadConfig } from './config.ts';
import { startStatus } from './service.ts';

await runService('status', (log) => startStatus(loadConfig(), log));
