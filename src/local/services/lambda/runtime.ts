/**
 * Where the worker bootstrap comes from. From dist/ (the real CLI) it is the compiled `bootstrap.js`
 * beside this module. From src/ (vitest runs the TypeScript directly) there is only `bootstrap.ts`:
 * it is transformed once with esbuild (a dependency already, for bundling) into the data dir. This way
 * workers always run plain JavaScript with no loader hooks in them — `--import tsx` would also hook the
 * function's own module loading, which the real Node runtime does not do.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeFileAtomicSync } from '../../storage.js';

const here = fileURLToPath(new URL('.', import.meta.url));

export async function bootstrapPath(dataDir: string): Promise<string> {
  const compiled = join(here, 'bootstrap.js');
  if (existsSync(compiled)) return compiled;
  const source = readFileSync(join(here, 'bootstrap.ts'), 'utf8');
  const target = join(dataDir, 'lambda', 'runtime', `bootstrap-${createHash('sha256').update(source).digest('hex').slice(0, 12)}.mjs`);
  if (!existsSync(target)) {
    const { transform } = await import('esbuild');
    const { code } = await transform(source, { loader: 'ts', format: 'esm', target: 'node20' });
    writeFileAtomicSync(target, code);
  }
  return target;
}

/** Node runtimes run locally; for the others CreateFunction works but Invoke explains. */
export function isNodeRuntime(runtime: string | undefined): boolean {
  return runtime !== undefined && /^nodejs\d+\.x$/.test(runtime);
}

/** The credentials functions run with; the local AWS knows them (auth/credentials.ts) so what they presign verifies. */
export const LOCAL_LAMBDA_CREDENTIALS = {
  accessKeyId: 'ASIATAPLOCALLAMBDA00',
  secretAccessKey: 'tap-local-lambda-secret',
  sessionToken: 'tap-local-lambda-session',
} as const;
