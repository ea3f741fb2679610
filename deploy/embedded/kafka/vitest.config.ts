import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // every suite runs real brokers and kafkajs clients: one file at a time keeps
    // timing-sensitive group tests stable on a small shared machine
    fileParallelism: false,
  },
});
