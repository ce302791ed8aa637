/**
 * S3's state: buckets, their configurations and (through ObjectStore) their object versions, persisted
 * under `<dataDir>/s3/`:
 *
 *   buckets/<bucket>/bucket.json            name, region, versioning, configurations
 *   buckets/<bucket>/versions/<id>          one per object version / delete marker: body, then
 *                                           metadata (version-file.ts; older data dirs' meta/ and
 *                                           data/ are converted on open, legacy-layout.ts)
 *   buckets/<bucket>/uploads/<upload id>/   multipart uploads in progress (multipart.ts)
 *   tmp/                                    bodies being received
 *
 * Bucket names, version ids and upload ids go through names.ts's fsName (`<bucket>` above is encoded).
 *
 * This is the in-process API the CloudFormation engine provisions through; it validates its inputs.
 */
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { damaged } from '../../data-dir.js';
import { decodeFsName, fsName } from '../../names.js';
import { mkdirPrivate, readJsonIfExists, removeIfExists, writeJsonAtomic } from '../../storage.js';
import { CONFIG_KINDS, OWNERSHIPS, validatePolicy, type ConfigName, type XmlTree } from './configs.js';
import { bucketAlreadyOwnedByYou, bucketNotEmpty, invalidBucketName, malformedXml, noSuchBucket, noSuchConfiguration } from './errors.js';
import { KeyedLock } from './lock.js';
import type { NotificationConfig } from './notification-config.js';
import { BucketIndex } from './objects.js';
import { MultipartStore } from './multipart.js';
import { ObjectStore } from './object-store.js';

export type Versioning = 'Enabled' | 'Suspended';

export interface BucketRecord {
  readonly name: string;
  readonly region: string;
  readonly createdAt: string;
  versioning?: Versioning;
  configs: Partial<Record<ConfigName, XmlTree | string>>;
  notification?: NotificationConfig;
}

export interface Bucket extends BucketRecord {
  readonly index: BucketIndex;
}

export class S3Store {
  readonly tmpDir: string;
  readonly objects: ObjectStore;
  readonly uploads: MultipartStore;
  readonly locks = new KeyedLock();
  private readonly buckets = new Map<string, Bucket>();

  constructor(readonly root: string) {
    this.tmpDir = join(root, 'tmp');
    this.objects = new ObjectStore(this);
    this.uploads = new MultipartStore(this);
  }

  bucketDir(name: string): string {
    return join(this.root, 'buckets', fsName(name));
  }

  /** Waits for the spare files being made (spares.ts): nothing is written after the service stops. */
  async stop(): Promise<void> {
    await this.objects.closeSpares();
  }

  async load(): Promise<void> {
    this.buckets.clear();
    this.uploads.clear();
    await rm(this.tmpDir, { recursive: true, force: true });
    await mkdirPrivate(this.tmpDir);
    const entries = await readdir(join(this.root, 'buckets')).catch(() => [] as string[]);
    for (const entry of entries) {
      const dir = join(this.root, 'buckets', entry);
      // A damaged bucket.json takes the whole bucket folder aside: its objects stay recoverable there.
      const lost = `bucket ${decodeFsName(entry) ?? entry} with its objects`;
      const record = await readJsonIfExists<BucketRecord>(join(dir, 'bucket.json'), { lost, moveAside: dir });
      // A folder without bucket.json is a bucket deleted while a write was landing: finish deleting it.
      if (!record) {
        await removeIfExists(dir);
        continue;
      }
      if (this.bucketDir(record.name) !== dir) {
        damaged(dir, lost, new Error(`the folder's name is not the encoding of the bucket's name ${record.name}`));
        continue;
      }
      const name = record.name;
      const bucket: Bucket = { ...record, index: new BucketIndex() };
      await this.makeDirs(name);
      this.buckets.set(name, bucket);
      await this.objects.loadBucket(bucket);
      await this.uploads.loadBucket(name);
    }
  }

  async reset(): Promise<void> {
    await this.objects.closeSpares();
    await removeIfExists(this.root);
    await this.load();
  }

  /**
   * Creates a bucket in `region`. BucketAlreadyOwnedByYou if it exists (the HTTP layer applies us-east-1's
   * exception). `settings`: its configuration from the start, checked first and written with it in one
   * write (CloudFormation creates a bucket with its configuration at once).
   */
  async createBucket(name: string, options: { region: string; objectOwnership?: string }, settings: BucketSettings = {}): Promise<Bucket> {
    assertBucketName(name);
    if (options.objectOwnership !== undefined && !OWNERSHIPS.includes(options.objectOwnership)) {
      throw malformedXml();
    }
    checkSettings(settings);
    return this.locks.run(`bucket:${name}`, async () => {
      if (this.buckets.has(name)) throw bucketAlreadyOwnedByYou(name);
      const configs: BucketRecord['configs'] = {};
      for (const [kind, spec] of Object.entries(CONFIG_KINDS)) {
        if ('initial' in spec) configs[kind as ConfigName] = spec.initial;
      }
      if (options.objectOwnership) configs.ownershipControls = { Rule: { ObjectOwnership: options.objectOwnership } };
      const bucket: Bucket = { name, region: options.region, createdAt: new Date().toISOString(), configs, index: new BucketIndex() };
      applySettings(bucket, settings);
      await this.persist(bucket);
      await this.makeDirs(name);
      this.buckets.set(name, bucket);
      return bucket;
    });
  }

  bucket(name: string): Bucket {
    const bucket = this.buckets.get(name);
    if (!bucket) throw noSuchBucket(name);
    return bucket;
  }

  hasBucket(name: string): boolean {
    return this.buckets.has(name);
  }

  listBuckets(): Bucket[] {
    return [...this.buckets.values()].sort((a, b) => (a.name < b.name ? -1 : 1));
  }

  /** BucketNotEmpty while any object version or delete marker remains, as S3. */
  async deleteBucket(name: string): Promise<void> {
    await this.locks.run(`bucket:${name}`, async () => {
      const bucket = this.bucket(name);
      if (bucket.index.size > 0) throw bucketNotEmpty(name);
      this.buckets.delete(name);
      this.uploads.forgetBucket(name);
      await this.objects.closeSpares(bucket);
      // bucket.json goes first: a crash mid-delete leaves a folder that load() finishes removing.
      await removeIfExists(join(this.bucketDir(name), 'bucket.json'));
      await removeIfExists(this.bucketDir(name));
    });
  }

  async setVersioning(name: string, status: Versioning): Promise<void> {
    // A status other than Enabled or Suspended (from a client's XML) is malformed, even when it is empty: checkSettings.
    await this.configureBucket(name, { versioning: status });
  }

  getBucketConfig(name: string, kind: ConfigName): XmlTree | string {
    const bucket = this.bucket(name);
    const value = bucket.configs[kind];
    if (value !== undefined) return value;
    if (kind === 'policy') throw noSuchConfiguration('NoSuchBucketPolicy', 'The bucket policy does not exist', name);
    const spec: { missing?: readonly [string, string]; fallback?: XmlTree } = CONFIG_KINDS[kind];
    if (spec.fallback) return spec.fallback;
    throw noSuchConfiguration(spec.missing![0], spec.missing![1], name);
  }

  /** Stores a configuration (XML tree, or the policy's JSON text) after checking it as S3 would. */
  async putBucketConfig(name: string, kind: ConfigName, value: XmlTree | string): Promise<void> {
    await this.configureBucket(name, { configs: { [kind]: value } });
  }

  async deleteBucketConfig(name: string, kind: ConfigName): Promise<void> {
    await this.update(name, (bucket) => void delete bucket.configs[kind]);
  }

  /** Several configurations (and versioning) changed in one write, each checked first as its Put* would. */
  async configureBucket(name: string, settings: BucketSettings): Promise<void> {
    checkSettings(settings);
    await this.update(name, (bucket) => applySettings(bucket, settings));
  }

  /** Notification configurations are validated (destinations included) by notification-config.ts. */
  async putNotification(name: string, config: NotificationConfig): Promise<void> {
    await this.update(name, (bucket) => {
      if (config.targets.length === 0 && !config.eventBridge) delete bucket.notification;
      else bucket.notification = config;
    });
  }

  /** The folders object writes go to exist for as long as the bucket does: the hot path skips mkdir. */
  private async makeDirs(name: string): Promise<void> {
    await mkdirPrivate(join(this.bucketDir(name), 'versions'));
  }

  private async update(name: string, change: (bucket: Bucket) => void): Promise<void> {
    await this.locks.run(`bucket:${name}`, async () => {
      const bucket = this.bucket(name);
      change(bucket);
      await this.persist(bucket);
    });
  }

  private async persist(bucket: Bucket): Promise<void> {
    const { index: _index, ...record } = bucket;
    await writeJsonAtomic(join(this.bucketDir(bucket.name), 'bucket.json'), record);
  }
}

/** Configurations to set (a value) or remove (undefined), and versioning, applied together. */
export interface BucketSettings {
  readonly versioning?: Versioning;
  readonly configs?: Partial<Record<ConfigName, XmlTree | string | undefined>>;
}

function checkSettings(settings: BucketSettings): void {
  if (settings.versioning !== undefined && settings.versioning !== 'Enabled' && settings.versioning !== 'Suspended') throw malformedXml();
  for (const [kind, value] of Object.entries(settings.configs ?? {}) as Array<[ConfigName, XmlTree | string | undefined]>) {
    if (value === undefined) continue;
    if (kind === 'policy') validatePolicy(String(value));
    else if (typeof value === 'string') throw malformedXml();
    else CONFIG_KINDS[kind].validate(value);
  }
}

function applySettings(bucket: Bucket, settings: BucketSettings): void {
  if (settings.versioning) bucket.versioning = settings.versioning;
  for (const [kind, value] of Object.entries(settings.configs ?? {}) as Array<[ConfigName, XmlTree | string | undefined]>) {
    if (value === undefined) delete bucket.configs[kind];
    else bucket.configs[kind] = value;
  }
}

/** S3's bucket naming rules for new buckets (general purpose buckets). */
export function assertBucketName(name: string): void {
  const ok =
    /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(name) &&
    !name.includes('..') &&
    !/^\d+\.\d+\.\d+\.\d+$/.test(name) &&
    !name.startsWith('xn--') &&
    !name.startsWith('sthree-') &&
    !name.endsWith('-s3alias') &&
    !name.endsWith('--ol-s3');
  if (!ok) throw invalidBucketName(name);
}
