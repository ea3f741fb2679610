export { integrationSuites as default } from './src/vitest.ts';
