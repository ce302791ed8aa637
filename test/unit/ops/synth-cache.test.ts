import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { MARKER_FILE, synthesizeOnce, withoutFingerprint, type Built } from '../../../src/ops/synth-cache.js';

let outDir: string;
let builds = 0;

/** Writes what a synth writes (template, asset manifest naming an asset folder, manifest.json). */
async function build(outputs: Record<string, unknown> = { UploadBucketName: { Value: 'b' } }): Promise<Built> {
  builds++;
  const templateFile = join(outDir, 'TapStack-dev.template.json');
  const assetManifestFile = join(outDir, 'TapStack-dev.assets.json');
  mkdirSync(join(outDir, 'asset.abc'), { recursive: true });
  writeFileSync(join(outDir, 'asset.abc', 'index.mjs'), 'export {}');
  writeFileSync(templateFile, JSON.stringify({ Resources: { Q: { Type: 'AWS::SQS::Queue' } }, Outputs: outputs }));
  writeFileSync(assetManifestFile, JSON.stringify({ files: { abc: { source: { path: 'asset.abc', packaging: 'zip' }, destinations: {} } } }));
  writeFileSync(join(outDir, 'manifest.json'), '{}');
  return { stackName: 'TapStack-dev', templateFile, assetManifestFile, bundleBytes: 123 };
}

beforeEach(() => {
  outDir = mkdtempSync(join(tmpdir(), 'tap-synth-cache-'));
  builds = 0;
});

describe('reusing a synthesized assembly', () => {
  it('builds once, then reuses the output for the same fingerprint', async () => {
    const first = await synthesizeOnce({ outDir, fingerprint: 'a' }, () => build());
    const second = await synthesizeOnce({ outDir, fingerprint: 'a' }, () => build());
    expect(builds).toBe(1);
    expect(first.reused).toBe(false);
    expect(second).toMatchObject({ reused: true, stackName: 'TapStack-dev', bundleBytes: 123, fingerprint: 'a', templateFile: first.templateFile });
    expect(second.template).toEqual(first.template);
  });

  it('rebuilds for another fingerprint (another env, setting or source), and with force', async () => {
    await synthesizeOnce({ outDir, fingerprint: 'a' }, () => build());
    expect((await synthesizeOnce({ outDir, fingerprint: 'b' }, () => build())).reused).toBe(false);
    expect((await synthesizeOnce({ outDir, fingerprint: 'b', force: true }, () => build())).reused).toBe(false);
    expect((await synthesizeOnce({ outDir, fingerprint: 'b' }, () => build())).reused).toBe(true);
    expect(builds).toBe(3);
  });

  it.each([
    ['the template was edited', () => writeFileSync(join(outDir, 'TapStack-dev.template.json'), '{"Resources":{}}')],
    ['the template is gone', () => rmSync(join(outDir, 'TapStack-dev.template.json'))],
    ['an asset is gone', () => rmSync(join(outDir, 'asset.abc'), { recursive: true })],
    ['the asset manifest is gone', () => rmSync(join(outDir, 'TapStack-dev.assets.json'))],
    ['the cloud assembly manifest is gone', () => rmSync(join(outDir, 'manifest.json'))],
    ['the marker is not JSON', () => writeFileSync(join(outDir, MARKER_FILE), '{"fingerprint":"a",')],
  ])('rebuilds when %s', async (_what, damage) => {
    await synthesizeOnce({ outDir, fingerprint: 'a' }, () => build());
    damage();
    expect((await synthesizeOnce({ outDir, fingerprint: 'a' }, () => build())).reused).toBe(false);
    expect(builds).toBe(2);
  });

  it('a synth that fails leaves nothing to reuse (the old marker goes first)', async () => {
    await synthesizeOnce({ outDir, fingerprint: 'a' }, () => build());
    await expect(synthesizeOnce({ outDir, fingerprint: 'b' }, async () => { throw new Error('synth broke'); })).rejects.toThrow('synth broke');
    expect(existsSync(join(outDir, MARKER_FILE))).toBe(false);
    expect((await synthesizeOnce({ outDir, fingerprint: 'a' }, () => build())).reused).toBe(false);
  });

  it('templates compare without the fingerprint output', () => {
    const a = { Resources: {}, Outputs: { TapFingerprint: { Value: 'x' }, Bucket: { Value: 'b' } } };
    const b = { Resources: {}, Outputs: { TapFingerprint: { Value: 'y' }, Bucket: { Value: 'b' } } };
    expect(withoutFingerprint(a)).toEqual(withoutFingerprint(b));
    expect(withoutFingerprint({ Outputs: { TapFingerprint: { Value: 'x' } } })).toEqual({});
    expect(withoutFingerprint({ Resources: {} })).toEqual({ Resources: {} });
    expect(withoutFingerprint(undefined)).toBeUndefined();
  });
});
