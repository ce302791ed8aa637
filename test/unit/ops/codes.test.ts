import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createReporter } from '../../../src/cli/reporters.js';
import { PROGRESS_CODES, progressCodesMarkdown } from '../../../src/ops/codes.js';
import { step } from '../../../src/ops/reporter.js';

const root = join(import.meta.dirname, '../../..');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

describe('progress codes', () => {
  it('docs/progress-codes.md is the one generated from src/ops/codes.ts (npm run docs:codes)', () => {
    expect(readFileSync(join(root, 'docs/progress-codes.md'), 'utf8')).toBe(progressCodesMarkdown());
  });

  it('every listed code is emitted somewhere, and every code follows the naming rule', () => {
    const code = sources(join(root, 'src'))
      .filter((f) => !f.endsWith('codes.ts'))
      .map((f) => readFileSync(f, 'utf8'))
      .join('\n');
    for (const name of Object.keys(PROGRESS_CODES)) {
      expect(name).toMatch(/^TAP_[A-Z]+(_[A-Z]+)*$/);
      expect(code, `${name} is listed but never emitted`).toContain(`'${name}'`);
    }
  });

  it('each description starts with the event type it is used with', () => {
    for (const text of Object.values(PROGRESS_CODES)) expect(text).toMatch(/^(step|done|info|warn|progress): /);
  });

  it('--json progress carries the code, with the step\'s code on its done event', async () => {
    const stream = new PassThrough();
    let out = '';
    stream.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const reporter = await createReporter({ json: true, stream: stream as unknown as NodeJS.WriteStream });
    await step(reporter, 'TAP_SYNTH', 'Synthesizing TapStack-dev', async () => 1);
    reporter.emit({ type: 'warn', code: 'TAP_INTERRUPT', message: 'Stopping…' });
    const events = out.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(events.map((e) => [e['type'], e['code']])).toEqual([
      ['step', 'TAP_SYNTH'],
      ['done', 'TAP_SYNTH'],
      ['warn', 'TAP_INTERRUPT'],
    ]);
    expect(events[1]).toMatchObject({ message: 'Synthesizing TapStack-dev', ms: expect.any(Number), at: expect.any(String) });
  });
});
