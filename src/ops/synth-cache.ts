/**
 * Reusing a synthesized cloud assembly when nothing that shapes it changed (see fingerprint.ts).
 *
 * The output folder is the cache: `tap synth` writes to `--out` (cdk.out), deploy and diff to
 * `.tap/build/<env>`. Next to the assembly, `tap-fingerprint.json` says which fingerprint it was built
 * from; it is removed before a synth starts and written only after one succeeds, so a synth that
 * fails or is killed leaves nothing to reuse. A different env or setting is a different fingerprint,
 * so the folder is rebuilt (a folder holds one assembly, as cdk.out does). Before reuse, the template's
 * hash and every asset the manifest names are checked: a hand-edited or half-deleted folder is rebuilt.
 *
 * The fingerprint is also an output of the stack (FINGERPRINT_OUTPUT), so `tap deploy` can see from
 * DescribeStacks alone that the deployed stack was built from the same inputs. Comparisons of
 * templates leave it out: it says where a template came from, not what it deploys.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join, relative } from 'node:path';
import { FINGERPRINT_OUTPUT } from '../infra/environment.js';
import type { SynthOutput as SynthesizedStack } from './synth-worker.js';

/** A synthesized stack, built now or reused. */
export interface SynthOutput extends SynthesizedStack {
  readonly fingerprint: string;
  /** The previous output was reused: nothing was synthesized. */
  readonly reused: boolean;
}

/** What a synth produced (src/infra/app.ts's Synthesized has these). */
export interface Built {
  readonly stackName: string;
  readonly templateFile: string;
  readonly assetManifestFile: string;
  readonly bundleBytes: number;
}

interface Marker {
  readonly fingerprint: string;
  readonly stackName: string;
  readonly templateFile: string;
  readonly templateSha256: string;
  readonly assetManifestFile: string;
  readonly bundleBytes: number;
}

export const MARKER_FILE = 'tap-fingerprint.json';

/**
 * The output in `outDir` if it was built from `fingerprint` (and is intact); otherwise `build()` runs
 * (after the old marker is removed) and its output is recorded. `force` always builds.
 */
export async function synthesizeOnce(options: { outDir: string; fingerprint: string; force?: boolean }, build: () => Promise<Built>): Promise<SynthOutput> {
  const reused = options.force ? undefined : reusable(options.outDir, options.fingerprint);
  if (reused) return reused;
  rmSync(join(options.outDir, MARKER_FILE), { force: true });
  return record(options.outDir, options.fingerprint, await build());
}

/** The previous output in `outDir`, if its fingerprint is this one and its files are all there. */
export function reusable(outDir: string, fingerprint: string): SynthOutput | undefined {
  let marker: Marker;
  try {
    marker = JSON.parse(readFileSync(join(outDir, MARKER_FILE), 'utf8')) as Marker;
  } catch {
    return undefined;
  }
  if (marker.fingerprint !== fingerprint) return undefined;
  const templateFile = join(outDir, marker.templateFile);
  const assetManifestFile = join(outDir, marker.assetManifestFile);
  try {
    const text = readFileSync(templateFile);
    if (sha256(text) !== marker.templateSha256 || !existsSync(join(outDir, 'manifest.json'))) return undefined;
    const manifest = JSON.parse(readFileSync(assetManifestFile, 'utf8')) as { files?: Record<string, { source: { path: string } }> };
    if (!Object.values(manifest.files ?? {}).every((f) => existsSync(join(outDir, f.source.path)))) return undefined;
    return {
      stackName: marker.stackName,
      template: JSON.parse(text.toString('utf8')) as Record<string, unknown>,
      templateFile,
      assetManifestFile,
      assemblyDir: outDir,
      bundleBytes: marker.bundleBytes,
      fingerprint,
      reused: true,
    };
  } catch {
    return undefined;
  }
}

function record(outDir: string, fingerprint: string, built: Built): SynthOutput {
  const text = readFileSync(built.templateFile);
  const inside = (file: string) => {
    const rel = relative(outDir, file);
    return rel.startsWith('..') || isAbsolute(rel) ? file : rel;
  };
  const marker: Marker = {
    fingerprint,
    stackName: built.stackName,
    templateFile: inside(built.templateFile),
    templateSha256: sha256(text),
    assetManifestFile: inside(built.assetManifestFile),
    bundleBytes: built.bundleBytes,
  };
  const file = join(outDir, MARKER_FILE);
  writeFileSync(`${file}.tmp`, `${JSON.stringify(marker, null, 2)}\n`);
  renameSync(`${file}.tmp`, file);
  return {
    stackName: built.stackName,
    template: JSON.parse(text.toString('utf8')) as Record<string, unknown>,
    templateFile: built.templateFile,
    assetManifestFile: built.assetManifestFile,
    assemblyDir: dirname(built.templateFile),
    bundleBytes: built.bundleBytes,
    fingerprint,
    reused: false,
  };
}

/** A template without tap's fingerprint output, for comparing what two templates deploy. */
export function withoutFingerprint(template: unknown): unknown {
  const t = template as { Outputs?: Record<string, unknown> } | undefined;
  if (!t?.Outputs || !(FINGERPRINT_OUTPUT in t.Outputs)) return template;
  const { [FINGERPRINT_OUTPUT]: _fingerprint, ...outputs } = t.Outputs;
  const { Outputs: _outputs, ...rest } = t;
  return Object.keys(outputs).length ? { ...rest, Outputs: outputs } : rest;
}

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');
