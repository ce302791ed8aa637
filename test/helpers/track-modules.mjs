// Preload (node --import) that records every module the process loads, for test/unit/cli/loading.test.ts:
// ES modules through a resolve hook (it runs on the hooks thread, so it appends to a file), and
// CommonJS modules (aws-cdk-lib, esbuild and the SDK's CJS builds load each other by require) from
// the CJS cache when the process exits. The file is named by TAP_TRACK_MODULES.
import { appendFileSync } from 'node:fs';
import { createRequire, register } from 'node:module';

const file = process.env.TAP_TRACK_MODULES;
if (file) {
  register(new URL('./track-modules-hooks.mjs', import.meta.url), { data: { file } });
  process.on('exit', () => {
    const cjs = Object.keys(createRequire(import.meta.url).cache);
    appendFileSync(file, cjs.map((path) => `${path}\n`).join(''));
  });
}
