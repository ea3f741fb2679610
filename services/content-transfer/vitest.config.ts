import { defineConfig } from 'vitest/config';

// Integration tests start a broker, a store and sometimes the service as a child process: one file at a time.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['node_modules/**'],
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
