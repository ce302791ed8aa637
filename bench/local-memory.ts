/**
 * Memory and disk of the local AWS while it ingests: deploys with `tap deploy`, uploads generated files
 * through the whole pipeline one after another (`tap upload --generate N --wait`), samples the server's
 * memory through /_tap/usage every second, then destroys the stack and shows what the data dir keeps.
 *   npm run build && npx tsx bench/local-memory.ts [--files 8] [--records 50000]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const arg = (name: string, fallback: number) => Number(process.argv[process.argv.indexOf(`--${name}`) + 1]) || fallback;
const files = arg('files', 8);
const records = arg('records', 50_000);
const root = join(import.meta.dirname, '..');
const dir = mkdtempSync(join(tmpdir(), 'tap-bench-memory-'));
const env: NodeJS.ProcessEnv = { ...process.env, HOME: dir, TAP_LOCAL_DIR: join(dir, 'local'), TAP_LOCAL_PORT: '0', AWS_CONFIG_FILE: '/nonexistent', AWS_SHARED_CREDENTIALS_FILE: '/nonexistent' };
for (const k of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE']) delete env[k];
const tap = (...args: string[]) => {
  const r = spawnSync(process.execPath, [join(root, 'bin', 'tap.js'), ...args], { cwd: dir, env, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`tap ${args.join(' ')} failed:\n${r.stderr}`);
  return r.stdout;
};
const MB = (n: number) => `${(n / 1048576).toFixed(0)} MB`;
interface Usage { disk: Record<string, number | undefined> & { total: number }; memory: { rss: number } }

try {
  const endpoint: string = JSON.parse(tap('deploy', '--env', 'bench', '--json')).target.endpoint;
  const usage = async () => (await (await fetch(`${endpoint}/_tap/usage`)).json()) as Usage;
  const start = await usage();
  let peak = start.memory.rss;
  const sampler = setInterval(() => void usage().then((u) => (peak = Math.max(peak, u.memory.rss)), () => {}), 1000);
  let bytes = 0;
  for (let i = 0; i < files; i++) {
    // spawnSync would block the sampler: run the upload asynchronously
    const { spawn } = await import('node:child_process');
    const out = await new Promise<string>((resolve, reject) => {
      const child = spawn(process.execPath, [join(root, 'bin', 'tap.js'), 'upload', '--generate', String(records), '--env', 'bench', '--wait', '--timeout', '900', '--json'], { cwd: dir, env });
      let text = '';
      child.stdout.on('data', (d: Buffer) => (text += d.toString()));
      child.on('close', (code) => (code === 0 ? resolve(text) : reject(new Error(`upload ${i + 1} exited ${code}`))));
    });
    bytes += JSON.parse(out).files[0].size as number;
    console.log(`file ${i + 1}/${files}: ${MB(bytes)} uploaded and processed; server RSS peak so far ${MB(peak)}`);
  }
  clearInterval(sampler);
  const full = await usage();
  tap('destroy', '--env', 'bench', '--yes', '--json');
  await new Promise((r) => setTimeout(r, 3000)); // the deleted tables' ranges compact in the background
  const after = await usage();
  console.log(`uploaded ${MB(bytes)} in ${files} files of ${records} records`);
  console.log(`server RSS: ${MB(start.memory.rss)} after deploy, peak ${MB(peak)} while ingesting (Lambda workers are separate processes)`);
  console.log(`data dir: ${MB(full.disk.total)} (dynamodb ${MB(full.disk.dynamodb ?? 0)}, s3 ${MB(full.disk.s3 ?? 0)}) → after destroy ${MB(after.disk.total)} (dynamodb ${MB(after.disk.dynamodb ?? 0)}, s3 ${MB(after.disk.s3 ?? 0)})`);
} finally {
  spawnSync(process.execPath, [join(root, 'bin', 'tap.js'), 'local', 'stop'], { cwd: dir, env });
  rmSync(dir, { recursive: true, force: true });
}
