/**
 * A warning at deploy time for functions on a runtime AWS has deprecated. Dates from the Lambda
 * developer guide ("Lambda runtimes", "Runtime deprecation"): on the deprecation date a runtime stops
 * getting security patches, and AWS then blocks creating functions on it, later updating them. Node.js
 * runtimes up to nodejs16.x are blocked for both already, so a deploy that creates or updates one fails.
 */
import type { Reporter } from './reporter.js';

/** When AWS deprecates (deprecated) each Node.js runtime it still runs. */
const DEPRECATION: Readonly<Record<string, string>> = {
  'nodejs18.x': '2025-09-01',
  'nodejs20.x': '2026-04-30',
  'nodejs22.x': '2027-04-30',
  'nodejs24.x': '2028-04-30',
};
/** Blocked for create and update: the last of them, nodejs16.x, since 2025. */
const LAST_BLOCKED_MAJOR = 16;

export interface Template {
  Resources?: Record<string, { Type?: string; Properties?: { Runtime?: unknown } }>;
}

/** One line per function whose runtime AWS has deprecated by `now`. */
export function deprecatedRuntimes(template: Template, now = new Date()): string[] {
  const newest = Object.keys(DEPRECATION).sort((a, b) => major(b) - major(a))[0];
  const lines: string[] = [];
  for (const [id, resource] of Object.entries(template.Resources ?? {})) {
    const runtime = resource.Properties?.Runtime;
    if (resource.Type !== 'AWS::Lambda::Function' || typeof runtime !== 'string' || !runtime.startsWith('nodejs')) continue;
    const on = DEPRECATION[runtime];
    if (on && new Date(`${on}T00:00:00Z`) <= now) {
      lines.push(`${id} runs on ${runtime}, which AWS deprecated on ${on}: it gets no security patches, and AWS blocks creating functions on it (then updating them). Move it to ${newest}.`);
    } else if (!on && major(runtime) <= LAST_BLOCKED_MAJOR) {
      lines.push(`${id} runs on ${runtime}, which AWS no longer accepts for new or updated functions: deploying it to AWS fails. Move it to ${newest}.`);
    }
  }
  return lines;
}

export function warnDeprecatedRuntimes(template: Template, reporter: Reporter, now = new Date()): void {
  for (const message of deprecatedRuntimes(template, now)) reporter.emit({ type: 'warn', code: 'TAP_DEPLOY_DEPRECATED_RUNTIME', message });
}

function major(runtime: string): number {
  const m = /^nodejs(\d+)/.exec(runtime);
  return m ? Number(m[1]) : Infinity;
}
