import { defineConfig } from 'vitest/config';

// Each file starts a whole stack (broker, store, services): run files one at a time on 2 cores.
export default defineConfig({
  test: {
    include: ['**/*.test.ts'],
    // support/ is the @roster/test-support workspace, with tests of its own
    exclude: ['node_modules/**', 'support/**'],
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
