import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Two cores: synth and bundling are CPU-heavy, so keep file-level parallelism modest.
    maxWorkers: 2,
  },
});
