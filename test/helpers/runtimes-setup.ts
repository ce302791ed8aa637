/**
 * vitest globalSetup: the Node.js runtimes the tests' functions name (nodejs22.x, and the tap stack's
 * nodejs24.x) are installed once per machine, before any test starts, into the runtime cache every
 * test's local AWS shares (TAP_RUNTIMES_DIR, set in vitest.config.ts). Installed already: a stat.
 * The first install is a real `npm install node-<os>-<arch>@<major>` from the registry; no test
 * pays it inside its own time-out. If the registry cannot be reached, the tests' functions run on the
 * fallback (this machine's Node), and the tests that check the runtime's own Node fail and say why.
 */
import { resolve } from 'node:path';
import { RuntimeCache } from '../../src/local/runtimes/cache.js';
import { majorOf, nodeMajor } from '../../src/local/runtimes/node-package.js';

export const TEST_RUNTIMES = ['nodejs22.x', 'nodejs24.x'];

/** TAP_RUNTIMES_DIR if set, else one folder in this checkout's node_modules/.cache (as vitest.config.ts says). */
export function testRuntimesDir(): string {
  return process.env.TAP_RUNTIMES_DIR || resolve('node_modules/.cache/tap-runtimes');
}

export default async function setup(): Promise<void> {
  const dir = testRuntimesDir();
  const cache = new RuntimeCache(dir);
  const needed = TEST_RUNTIMES.filter((r) => nodeMajor(r) !== majorOf(process.version) && !cache.find(r));
  await Promise.all(
    needed.map(async (runtime) => {
      const started = Date.now();
      process.stderr.write(`[test setup] installing ${runtime} into ${dir} (once per machine)\n`);
      try {
        const r = await cache.install(runtime);
        process.stderr.write(`[test setup] ${runtime}: Node ${r.nodeVersion} in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
      } catch (error) {
        process.stderr.write(`[test setup] ${runtime} could not be installed: ${(error as Error).message}\n`);
      }
    }),
  );
}
