/** Small conventions of issue 15: the version, env-name suggestions, errors without prompt words. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { whatIsAsked } from '../../../src/cli/context.js';
import { parseEnvName } from '../../../src/ops/env.js';
import { runTap } from '../../helpers/cli.js';

describe('tap --version', () => {
  const { version } = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
  for (const flag of ['--version', '-V']) {
    it(`${flag} prints the package version, exit 0`, async () => {
      const run = await runTap([flag]);
      expect([run.code, run.stdout.trim(), run.stderr]).toEqual([0, version, '']);
    });
  }
});

describe('--env suggestions', () => {
  it.each([
    ['Dev Team', 'dev-team'],
    ['Staging', 'staging'],
    ['team_a', 'team-a'],
  ])('"%s" suggests "%s"', (given, suggested) => {
    expect(() => parseEnvName(given)).toThrow(`Did you mean "${suggested}"?`);
  });

  it('no suggestion when nothing valid is near', () => {
    expect(() => parseEnvName('!!!')).toThrow(/^(?!.*Did you mean)/s);
    expect(() => parseEnvName('a'.repeat(40))).not.toThrow(/Did you mean/);
  });
});

describe('a confirmation without a terminal', () => {
  it('names what was asked, without the words that ask a person', () => {
    expect(whatIsAsked('stage is a protected environment: this replaces its function code. Continue? [y/N]')).toBe(
      'stage is a protected environment: this replaces its function code',
    );
    expect(whatIsAsked('This deletes TapStack-dev and every file, record and log in it. Type the environment name (dev) to go on:')).toBe(
      'This deletes TapStack-dev and every file, record and log in it',
    );
    expect(whatIsAsked('Delete all 3 message(s) in tap-dev-ingest-dlq? [y/N]')).toBe('Delete all 3 message(s) in tap-dev-ingest-dlq');
  });
});
