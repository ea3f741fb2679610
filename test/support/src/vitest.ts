import { defineConfig } from 'vitest/config';

/**
 * The vitest settings of suites that start real servers (the embedded broker and store, services
 * as child processes): generous timeouts, and one file at a time so timing-sensitive consumer-group
 * tests stay stable on a small shared machine.
 */
export const integrationSuites = defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    fileParallelism: false,
  },
});
