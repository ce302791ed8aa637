/**
 * Secrets per region, one JSON record per secret (RecordStore: atomic writes, names encoded), found
 * by name, full ARN or partial ARN (the ARN without its 6-character suffix). A secret scheduled for
 * deletion stays until its recovery window ends and is purged when next looked at. Records are
 * filed under a hash of the name: names run to 512 characters, more than a file name may hold.
 */
import { createHash } from 'node:crypto';
import { RecordStore } from '../records.js';
import { markedDeleted, notFound, now, type SecretRecord } from './model.js';

export class SecretStore {
  private readonly stores = new Map<string, RecordStore<SecretRecord>>();
  private chain: Promise<unknown> = Promise.resolve();

  constructor(private readonly root: string) {}

  private store(region: string): RecordStore<SecretRecord> {
    let store = this.stores.get(region);
    if (!store) this.stores.set(region, (store = new RecordStore<SecretRecord>(`${this.root}/${region}`)));
    return store;
  }

  /** Runs changes one at a time, so concurrent writers of one secret never lose each other's versions. */
  serialize<T>(work: () => Promise<T>): Promise<T> {
    const run = this.chain.then(work, work);
    this.chain = run.catch(() => undefined);
    return run;
  }

  async all(region: string): Promise<SecretRecord[]> {
    const records = await this.store(region).list();
    const live: SecretRecord[] = [];
    for (const r of records) {
      if (r.PurgeAt !== undefined && r.PurgeAt <= now()) await this.store(region).delete(key(r.Name));
      else live.push(r);
    }
    return live;
  }

  async byName(region: string, name: string): Promise<SecretRecord | undefined> {
    const record = await this.store(region).get(key(name));
    if (record?.PurgeAt !== undefined && record.PurgeAt <= now()) {
      await this.store(region).delete(key(name));
      return undefined;
    }
    return record;
  }

  /** The secret `secretId` names; ResourceNotFoundException if none; InvalidRequestException if scheduled for deletion (unless allowed). */
  async find(region: string, secretId: unknown, options: { allowDeleted?: boolean } = {}): Promise<SecretRecord> {
    if (typeof secretId !== 'string' || secretId.length < 1 || secretId.length > 2048) throw notFound();
    let secret: SecretRecord | undefined;
    if (secretId.startsWith('arn:')) {
      secret = (await this.all(region)).find((s) => s.ARN === secretId || s.ARN.slice(0, -7) === secretId);
    } else {
      secret = await this.byName(region, secretId);
    }
    if (!secret) throw notFound();
    if (secret.DeletedDate !== undefined && !options.allowDeleted) throw markedDeleted();
    return secret;
  }

  put(region: string, secret: SecretRecord): Promise<void> {
    return this.store(region).put(key(secret.Name), secret);
  }

  async remove(region: string, name: string): Promise<void> {
    await this.store(region).delete(key(name));
  }

  async clear(): Promise<void> {
    for (const store of this.stores.values()) await store.clear();
    this.stores.clear();
  }
}

const key = (name: string) => createHash('sha256').update(name).digest('hex');
