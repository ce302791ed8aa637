/**
 * Buckets written before one-file-per-version (version-file.ts) kept each version in two files:
 *
 *   meta/<key hash>.<version id>.json    the ObjectVersion
 *   data/<id>                            its body (none for a delete marker)
 *
 * On open such a bucket is converted in place, without copying bodies: the metadata is appended to
 * the body file, which is synced and renamed into versions/; a delete marker becomes a file holding
 * only metadata, named after its old metadata file. Each converted file is synced before its rename
 * and the metadata files go only once versions/ is synced, so a crash mid-way leaves every version
 * in one layout or the other, and the next open finishes the job (a metadata file whose body is
 * already in versions/ was converted: it is just removed).
 */
import { randomBytes } from 'node:crypto';
import { readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { damaged } from '../../data-dir.js';
import { readJsonIfExists, syncDir } from '../../storage.js';
import type { ObjectVersion } from './objects.js';
import { sealVersionFile } from './version-file.js';

/** Converts `bucketDir`'s meta/ and data/ (if any) into versions/, which must exist. */
export async function migrateLegacyLayout(bucketDir: string, bucketName: string): Promise<void> {
  const metaDir = join(bucketDir, 'meta');
  const dataDir = join(bucketDir, 'data');
  const versionsDir = join(bucketDir, 'versions');
  const metaFiles = await readdir(metaDir).catch(() => undefined);
  const dataFiles = await readdir(dataDir).catch(() => undefined);
  if (!metaFiles && !dataFiles) return;
  const bodies = new Set(dataFiles);
  const converted = new Set(await readdir(versionsDir));
  const done: string[] = [];
  let damagedMeta = 0;
  for (const file of metaFiles ?? []) {
    const path = join(metaDir, file);
    if (!file.endsWith('.json')) {
      await rm(path, { force: true }); // a torn temp file
      continue;
    }
    const lost = `an object version in bucket ${bucketName} (its key is in the damaged file; its body is kept in damaged/ too)`;
    const version = await readJsonIfExists<ObjectVersion>(path, { lost });
    if (!version) {
      damagedMeta++;
      continue;
    }
    if (version.data && !bodies.has(version.data)) {
      if (!converted.has(version.data)) damaged(path, `object version ${version.versionId} of ${version.key} in bucket ${bucketName}`, new Error(`its body data/${version.data} is missing`));
      else done.push(path);
      continue;
    }
    const name = version.data ?? file.slice(0, -'.json'.length);
    await convert(version, version.data ? join(dataDir, version.data) : undefined, join(versionsDir, name));
    bodies.delete(version.data!);
    done.push(path);
  }
  // The renames are durable before the metadata files they replace go.
  await syncDir(versionsDir);
  await syncDir(dataDir);
  for (const path of done) await rm(path, { force: true });
  // Bodies no metadata refers to: a crash between the two writes of the old layout, or (with damaged
  // metadata) maybe that object's, kept aside rather than deleted.
  for (const file of bodies) {
    const path = join(dataDir, file);
    if (damagedMeta > 0) damaged(path, 'the object version this body belonged to (see the damaged metadata file)', new Error('no metadata refers to this body'));
    else await rm(path, { force: true });
  }
  await rm(metaDir, { recursive: true, force: true });
  await rm(dataDir, { recursive: true, force: true });
  await syncDir(bucketDir);
}

/** Body (if any) + metadata trailer, synced, then renamed to `target`. */
async function convert(version: ObjectVersion, body: string | undefined, target: string): Promise<void> {
  const source = body ?? `${target}.${randomBytes(6).toString('hex')}.tmp`;
  // A crash after an earlier conversion's append left a trailer behind: cut back to the body first.
  await sealVersionFile(source, version, { create: !body, cut: true });
  await rename(source, target);
}
