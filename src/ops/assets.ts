import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { isNotFound } from '../shared/not-found.js';
import { step, type Reporter } from './reporter.js';

/** The placeholders CDK's synthesizers leave in asset manifests and templates. */
export interface Environment {
  readonly account: string;
  readonly region: string;
  readonly partition: string;
}

export function fillPlaceholders(text: string, env: Environment): string {
  return text
    .replaceAll('${AWS::AccountId}', env.account)
    .replaceAll('${AWS::Region}', env.region)
    .replaceAll('${AWS::Partition}', env.partition);
}

interface AssetManifest {
  files?: Record<string, {
    displayName?: string;
    source: { path: string; packaging?: 'zip' | 'file' };
    destinations: Record<string, { bucketName: string; objectKey: string }>;
  }>;
}

export interface PublishResult {
  readonly uploaded: string[];
  readonly skipped: string[];
}

/**
 * Uploads the assets of an asset manifest that are not in their bucket yet. Keys are content
 * hashes, so an object that exists is the same asset: a HeadObject decides.
 */
export async function publishAssets(manifestFile: string, env: Environment, s3: S3Client, reporter: Reporter): Promise<PublishResult> {
  const { HeadObjectCommand, PutObjectCommand } = await import('@aws-sdk/client-s3');
  const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as AssetManifest;
  const root = dirname(manifestFile);
  const result: PublishResult = { uploaded: [], skipped: [] };
  for (const [id, asset] of Object.entries(manifest.files ?? {})) {
    for (const destination of Object.values(asset.destinations)) {
      const Bucket = fillPlaceholders(destination.bucketName, env);
      const Key = fillPlaceholders(destination.objectKey, env);
      if (await exists(() => s3.send(new HeadObjectCommand({ Bucket, Key })))) {
        result.skipped.push(Key);
        continue;
      }
      const name = asset.displayName ?? id.slice(0, 12);
      await step(reporter, 'TAP_DEPLOY_ASSET_UPLOAD', `Uploading asset ${name}`, async () => {
        const path = join(root, asset.source.path);
        const Body = asset.source.packaging === 'zip' ? await zipDirectory(path) : readFileSync(path);
        await s3.send(new PutObjectCommand({ Bucket, Key, Body }));
      });
      result.uploaded.push(Key);
    }
  }
  return result;
}

/** Runs a Head* call: true if it answers, false on 404. */
export async function exists(head: () => Promise<unknown>): Promise<boolean> {
  try {
    await head();
    return true;
  } catch (error) {
    if (isNotFound(error)) return false;
    throw error;
  }
}

/** A zip of a folder, entries sorted and timestamps fixed, so the same folder gives the same bytes. */
export async function zipDirectory(dir: string): Promise<Uint8Array> {
  const { zipSync } = await import('fflate');
  const files: Record<string, [Uint8Array, { mtime: Date }]> = {};
  const mtime = new Date('1980-01-01T00:00:00Z');
  const walk = (current: string) => {
    for (const name of readdirSync(current).sort()) {
      const path = join(current, name);
      if (statSync(path).isDirectory()) walk(path);
      else files[relative(dir, path).split('\\').join('/')] = [readFileSync(path), { mtime }];
    }
  };
  walk(dir);
  return zipSync(files, { level: 6 });
}
