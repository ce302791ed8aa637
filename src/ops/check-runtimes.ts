/**
 * What `tap deploy` says about the template's function runtimes: a warning for each runtime AWS has
 * deprecated (any target), and, on a tap local AWS, which Node.js builds its functions will need that
 * it has not installed yet (it installs them when the functions are created; the first takes a while).
 */
import { warnDeprecatedRuntimes, type Template } from './deprecated-runtimes.js';
import type { Reporter } from './reporter.js';
import type { Target } from './target.js';

export async function checkRuntimes(template: Template, target: Pick<Target, 'kind' | 'endpoint'>, reporter: Reporter): Promise<void> {
  warnDeprecatedRuntimes(template, reporter);
  if (target.kind !== 'local' || !target.endpoint) return;
  const wanted = new Set<string>();
  for (const r of Object.values(template.Resources ?? {})) {
    const runtime = r.Properties?.Runtime;
    if (r.Type === 'AWS::Lambda::Function' && typeof runtime === 'string' && /^nodejs\d+\.x$/.test(runtime)) wanted.add(runtime);
  }
  if (wanted.size === 0) return;
  // Loaded here, not at the top: on AWS, deploy loads nothing of src/local (test/e2e/loading.test.ts).
  const { ADMIN_HEADERS } = await import('../local/admin-headers.js');
  const state = await fetch(`${target.endpoint}/_tap/runtimes`, { headers: ADMIN_HEADERS, signal: AbortSignal.timeout(5_000) })
    .then((res) => (res.ok ? (res.json() as Promise<{ dir: string; installed: Array<{ runtime: string }> }>) : undefined))
    .catch(() => undefined); // an older tap local: nothing to say
  if (!state) return;
  const missing = [...wanted].sort().filter((r) => !state.installed.some((i) => i.runtime === r) && Number(r.slice(6, -2)) !== hostMajor());
  if (missing.length === 0) return;
  reporter.emit({
    type: 'info',
    code: 'TAP_DEPLOY_RUNTIMES',
    message:
      `Local functions on ${missing.join(', ')} run on that Node.js major, not installed yet: the local AWS installs it with npm ` +
      `(about 50 MB) as the stack creates them, into ${state.dir}; the first invocations wait for it (progress in its server.log; ` +
      `offline, they run on this machine's Node). To install it now: tap local runtimes install ${missing.join(' ')}`,
  });
}

const hostMajor = () => Number(process.versions.node.split('.')[0]);
