// Entry point of the content-transfer consumer process.
import { runService } from '@roster/service-kit';
import { loadConfig } from './config.ts';
import { startContentTransfer } from './service.ts';

await runService('content-transfer', (log) => startContentTransfer(loadConfig(), log));
