import { resolve } from 'node:path';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // test/scale runs minutes-long workloads: `npm run test:scale` runs them on their own.
    include: process.env.TAP_SCALE ? ['test/scale/**/*.test.ts'] : ['test/**/*.test.ts'],
    exclude: process.env.TAP_SCALE ? [] : ['test/scale/**', 'node_modules/**'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Two cores: synth and bundling are CPU-heavy, so keep file-level parallelism modest.
    maxWorkers: 2,
    // tap pins its SDK; its notice about future releases needing Node 22 is noise in test output.
    // Every local AWS the tests start (in-process or through bin/tap) shares one runtime cache, so
    // each Node.js runtime downloads once per machine; globalSetup fills it before the tests run.
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', TAP_RUNTIMES_DIR: process.env.TAP_RUNTIMES_DIR || resolve('node_modules/.cache/tap-runtimes') },
    globalSetup: ['test/helpers/runtimes-setup.ts'],
  },
});
