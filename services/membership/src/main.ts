// Entry point of the membership consumer process.
import { runService } from '@roster/service-kit';
import { loadConfig } from './config.ts';
import { startMembership } from './service.ts';

await runService('membership', (log) => startMembership(loadConfig(), log));
