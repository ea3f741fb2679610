export { integrationSuites as default } from '@roster/test-support/vitest';
