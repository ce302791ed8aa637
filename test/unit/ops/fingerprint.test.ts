import { mkdirSync, mkdtempSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { fingerprint, type FingerprintInputs } from '../../../src/ops/fingerprint.js';

/** A small package shaped like tap: infra that imports a handler contract, a handler with its own modules. */
const FILES: Record<string, string> = {
  'package.json': JSON.stringify({ name: 'tap', version: '0.1.0', scripts: { test: 'vitest' } }),
  'package-lock.json': JSON.stringify({ packages: { 'node_modules/aws-cdk-lib': { version: '2.276.0' }, 'node_modules/esbuild': { version: '0.28.2' } } }),
  'src/infra/app.ts': "import { TapStack } from './stack.js';\nexport const app = () => new TapStack();\n",
  'src/infra/stack.ts': "import { OUTPUT } from '../handlers/contract.js';\nimport type { Stack } from 'aws-cdk-lib';\nexport class TapStack { outputs = OUTPUT; }\n",
  'src/handlers/contract.ts': "export const OUTPUT = { bucket: 'UploadBucketName' };\n",
  'src/handlers/processor.ts': "import { parse } from './parse/index.js';\nexport const handler = async () => (await import('./lazy.js')).run(parse);\n",
  'src/handlers/parse/index.ts': "export { parse } from '../parse/csv.js';\n",
  'src/handlers/parse/csv.ts': 'export const parse = (t: string) => t.split(",");\n',
  'src/handlers/lazy.ts': 'export const run = (f: unknown) => f;\n',
  'src/handlers/unused.ts': 'export const nobodyImportsMe = 1;\n',
  'README.md': '# tap\n',
  'test/unit/stack.test.ts': "import '../../src/infra/app.js';\n",
};

let root: string;
let inputs: FingerprintInputs;
const digest = (over: Partial<FingerprintInputs> = {}) => fingerprint({ ...inputs, ...over }).digest;
const edit = (path: string, change: (text: string) => string) => writeFileSync(join(root, path), change(readFileSync(join(root, path), 'utf8')));

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'tap-fingerprint-'));
  for (const [path, text] of Object.entries(FILES)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  inputs = {
    root,
    entries: [join(root, 'src/infra/app.ts'), join(root, 'src/handlers/processor.ts')],
    env: 'dev',
    settings: { alarmEmail: 'ops@example.com' },
    variables: { HOME: '/home/someone', PATH: '/usr/bin', CDK_CONTEXT_JSON: '{"a":1}' },
  };
});

describe('the fingerprint of what shapes the template', () => {
  it('covers the entries and every local module they import (static, re-exported, dynamic), nothing else', () => {
    expect(fingerprint(inputs).files).toEqual([
      'src/handlers/contract.ts',
      'src/handlers/lazy.ts',
      'src/handlers/parse/csv.ts',
      'src/handlers/parse/index.ts',
      'src/handlers/processor.ts',
      'src/infra/app.ts',
      'src/infra/stack.ts',
    ]);
    expect(digest()).toMatch(/^[0-9a-f]{64}$/);
    expect(digest()).toBe(digest());
  });

  it.each<[string, () => Partial<FingerprintInputs> | void]>([
    ['an infra file', () => edit('src/infra/stack.ts', (t) => `${t}// a comment is a change of source\n`)],
    ['a handler file', () => edit('src/handlers/parse/csv.ts', (t) => t.replace('","', '";"'))],
    ['a module only the infra imports from the handlers', () => edit('src/handlers/contract.ts', (t) => t.replace('UploadBucketName', 'Bucket'))],
    ['a module imported lazily', () => edit('src/handlers/lazy.ts', (t) => t.replace('f;', '[f];'))],
    ['a dependency version in the lockfile', () => edit('package-lock.json', (t) => t.replace('2.276.0', '2.277.0'))],
    ["tap's version", () => edit('package.json', (t) => t.replace('0.1.0', '0.2.0'))],
    ['the env', () => ({ env: 'staging' })],
    ['a setting changed', () => ({ settings: { alarmEmail: 'other@example.com' } })],
    ['a setting cleared', () => ({ settings: {} })],
    ['a setting added', () => ({ settings: { alarmEmail: 'ops@example.com', protected: true } })],
    ['a CDK_ variable aws-cdk-lib reads', () => ({ variables: { ...inputs.variables, CDK_CONTEXT_JSON: '{"a":2}' } })],
    ['a new entry module', () => ({ entries: [...inputs.entries!, join(root, 'src/handlers/unused.ts')] })],
  ])('changes with %s', (_what, change) => {
    const before = digest();
    const over = change() ?? {};
    expect(digest(over)).not.toBe(before);
  });

  it.each<[string, () => Partial<FingerprintInputs> | void]>([
    ['the README', () => edit('README.md', (t) => `${t}More words.\n`)],
    ['a test file', () => edit('test/unit/stack.test.ts', (t) => `${t}// more tests\n`)],
    ['a source file nothing imports', () => edit('src/handlers/unused.ts', (t) => `${t}export const two = 2;\n`)],
    ['package.json fields other than name and version', () => edit('package.json', (t) => t.replace('vitest', 'vitest run'))],
    ['modification times only (touch)', () => {
      const later = new Date(Date.now() + 3_600_000);
      for (const path of Object.keys(FILES)) utimesSync(join(root, path), later, later);
    }],
    ['variables the synth does not read', () => ({ variables: { ...inputs.variables, HOME: '/elsewhere', TAP_DEBUG: '1' } })],
    ['the order of settings and unset ones', () => ({ settings: { protected: undefined, alarmEmail: 'ops@example.com' } })],
    ['a copy of the package elsewhere (paths are relative)', () => {
      const copy = mkdtempSync(join(tmpdir(), 'tap-fingerprint-copy-'));
      for (const [path, text] of Object.entries(FILES)) {
        mkdirSync(dirname(join(copy, path)), { recursive: true });
        writeFileSync(join(copy, path), text);
      }
      return { root: copy, entries: [join(copy, 'src/infra/app.ts'), join(copy, 'src/handlers/processor.ts')] };
    }],
  ])('stays the same with %s', (_what, change) => {
    const before = digest();
    const over = change() ?? {};
    expect(digest(over)).toBe(before);
  });

  it("of tap itself: its infra and handler sources and the lockfile's packages, not its tests", () => {
    const own = fingerprint({ env: 'dev', settings: {}, variables: {} });
    expect(own.files).toEqual(expect.arrayContaining(['src/handlers/processor.ts', 'src/handlers/contract.ts', 'src/infra/stack.ts']));
    expect(own.files.some((f) => f.startsWith('test/') || f.startsWith('src/cli/') || f.startsWith('src/local/'))).toBe(false);
  });
});
