#!/usr/bin/env node
// The entry point: everything lives in dist/ (built from src/ by `npm install` via `prepare`).
// tap pins its AWS SDK; the SDK's notice that its future releases need Node 22 is for tap's
// maintainers, not for someone running a command (documented opt-out).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

let cli;
try {
  cli = await import('../dist/cli/run.js');
} catch (error) {
  if (error?.code === 'ERR_MODULE_NOT_FOUND' && String(error.message).includes('dist/cli/run.js')) {
    process.stderr.write('tap is not built yet. Run `npm install` (or `npm run build`) in the tap folder.\n');
    process.exit(1);
  }
  throw error;
}
await cli.run(process.argv);
