export { buildApp } from './app.ts';
export { loadConfig } from './config.ts';
export { startIngress } from './service.ts';
