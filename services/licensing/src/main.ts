// Entry point of the licensing consumer process.
import { runService } from '@roster/service-kit';
import { loadConfig } from './config.ts';
import { startLicensing } from './service.ts';

await runService('licensing', (log) => startLicensing(loadConfig(), log));
