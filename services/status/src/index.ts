export { loadConfig } from './config.ts';
export { startStatus } from './service.ts';
