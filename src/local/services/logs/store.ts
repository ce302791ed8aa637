/**
 * CloudWatch Logs state: log groups (metadata in `group.json`) and their streams, whose events are
 * appended to one NDJSON file per stream (a header line, then `[timestamp, ingestionTime, eventId,
 * message]` per event). Appends never rewrite a file; a line torn by a kill is dropped on load, any other damaged line is reported (storage.ts parseLines).
 * Everything is also held in memory, sorted by timestamp per stream, so queries never read disk.
 */
import { randomInt } from 'node:crypto';
import { appendFile, readdir, readFile, truncate } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { AwsError } from '../../errors.js';
import { damaged } from '../../data-dir.js';
import { decodeFsName, fsName } from '../../names.js';
import { FILE_MODE, parseLines, readJsonIfExists, removeIfExists, syncPath, writeFileAtomic, writeJsonAtomic } from '../../storage.js';
import { checkGroupName, checkRetention, checkStreamName, checkTags, groupNotFound, streamNotFound } from './validate.js';

export interface LogEvent {
  readonly timestamp: number;
  readonly ingestionTime: number;
  readonly eventId: string;
  readonly message: string;
}

export interface LogStream {
  readonly name: string;
  readonly creationTime: number;
  readonly file: string;
  /** Sorted by timestamp; equal timestamps keep arrival order. */
  readonly events: LogEvent[];
  lastIngestionTime: number | undefined;
  /** Settles when the stream's file (its header line) exists: appends wait for it. */
  ready: Promise<void>;
}

export interface GroupMeta {
  readonly name: string;
  readonly creationTime: number;
  retentionInDays?: number;
  tags: Record<string, string>;
  kmsKeyId?: string;
  logGroupClass: string;
}

export interface LogGroup {
  readonly region: string;
  readonly meta: GroupMeta;
  readonly dir: string;
  readonly streams: Map<string, LogStream>;
  storedBytes: number;
  /** Settles when `group.json` is on disk: streams are written after it, so a restart finds them. */
  ready: Promise<void>;
}

export interface CreateGroupOptions {
  readonly tags?: Record<string, string>;
  readonly kmsKeyId?: string;
  readonly logGroupClass?: string;
}

let sequence = 0;

/** 56 digits like AWS's event ids; lexical order follows ingestion order. */
function newEventId(timestamp: number, ingestionTime: number): string {
  sequence = (sequence + 1) % 1e12;
  const pad = (n: number, w: number) => String(Math.max(0, Math.trunc(n))).padStart(w, '0').slice(-w);
  return pad(ingestionTime, 16) + pad(sequence, 12) + pad(timestamp, 16) + pad(randomInt(1e12), 12);
}


export class LogsStore {
  private readonly regions = new Map<string, Map<string, LogGroup>>();

  constructor(
    private readonly dir: string,
    readonly accountId: string,
  ) {}

  async load(): Promise<void> {
    this.regions.clear();
    for (const regionEntry of await listDir(this.dir)) {
      const region = decodeFsName(regionEntry);
      if (region === undefined) continue;
      for (const entry of await listDir(join(this.dir, regionEntry))) {
        const dir = join(this.dir, regionEntry, entry);
        const lost = `log group ${decodeFsName(entry) ?? entry} in ${region} with its streams`;
        const meta = await readJsonIfExists<GroupMeta>(join(dir, 'group.json'), { lost, moveAside: dir });
        if (!meta) continue;
        const group: LogGroup = { region, meta, dir, streams: new Map(), storedBytes: 0, ready: Promise.resolve() };
        for (const file of await listDir(join(dir, 'streams'))) {
          if (file.endsWith('.ndjson')) await this.loadStream(group, join(dir, 'streams', file));
        }
        this.groupsOf(region).set(meta.name, group);
      }
    }
  }

  private async loadStream(group: LogGroup, file: string): Promise<void> {
    const text = await readFile(file, 'utf8');
    const firstLine = text.slice(0, Math.max(0, text.indexOf('\n')));
    let header: { name: string; creationTime: number };
    try {
      header = JSON.parse(firstLine) as typeof header;
      if (typeof header?.name !== 'string') throw new Error('no stream name in the first line');
    } catch (error) {
      damaged(file, `log stream file ${basename(file)} of log group ${group.meta.name} with its events`, error);
      return;
    }
    const { records, intactBytes } = parseLines<[number, number, string, string]>(
      file,
      text.slice(firstLine.length + 1),
      (bad) => `${bad} event(s) of log stream ${header.name} in log group ${group.meta.name}`,
    );
    // A torn tail would glue itself to the next append: cut it off now.
    const keep = Buffer.byteLength(firstLine, 'utf8') + 1 + intactBytes;
    if (keep < Buffer.byteLength(text, 'utf8')) await truncate(file, keep);
    const stream: LogStream = {
      name: header.name,
      creationTime: header.creationTime,
      file,
      events: [],
      lastIngestionTime: undefined,
      ready: Promise.resolve(),
    };
    for (const [timestamp, ingestionTime, eventId, message] of records) {
      stream.events.push({ timestamp, ingestionTime, eventId, message });
      stream.lastIngestionTime = Math.max(stream.lastIngestionTime ?? 0, ingestionTime);
      group.storedBytes += Buffer.byteLength(message);
    }
    stream.events.sort((a, b) => a.timestamp - b.timestamp);
    group.streams.set(stream.name, stream);
  }

  groupsOf(region: string): Map<string, LogGroup> {
    let groups = this.regions.get(region);
    if (!groups) this.regions.set(region, (groups = new Map()));
    return groups;
  }

  /** A group by name or by ARN (`logGroupIdentifier` accepts both). */
  group(region: string, nameOrArn: string): LogGroup {
    const arn = /^arn:[^:]+:logs:([^:]+):[^:]*:log-group:([^:]+)(:\*)?$/.exec(nameOrArn);
    const group = arn ? this.groupsOf(arn[1]!).get(arn[2]!) : this.groupsOf(region).get(nameOrArn);
    if (!group) throw groupNotFound();
    return group;
  }

  stream(group: LogGroup, name: string): LogStream {
    const stream = group.streams.get(name);
    if (!stream) throw streamNotFound();
    return stream;
  }

  groupArn(group: LogGroup): string {
    return `arn:aws:logs:${group.region}:${this.accountId}:log-group:${group.meta.name}`;
  }

  async createLogGroup(region: string, name: string, options: CreateGroupOptions = {}): Promise<LogGroup> {
    checkGroupName(name);
    const groups = this.groupsOf(region);
    if (groups.has(name)) throw new AwsError('ResourceAlreadyExistsException', 'The specified log group already exists');
    const logGroupClass = options.logGroupClass ?? 'STANDARD';
    if (!['STANDARD', 'INFREQUENT_ACCESS', 'DELIVERY'].includes(logGroupClass)) {
      throw new AwsError('InvalidParameterException', `Invalid logGroupClass: ${logGroupClass}`);
    }
    const meta: GroupMeta = {
      name,
      creationTime: Date.now(),
      tags: checkTags(options.tags),
      logGroupClass,
      ...(options.kmsKeyId ? { kmsKeyId: options.kmsKeyId } : {}),
    };
    const dir = join(this.dir, fsName(region), fsName(name));
    const group: LogGroup = { region, meta, dir, streams: new Map(), storedBytes: 0, ready: Promise.resolve() };
    groups.set(name, group);
    group.ready = writeJsonAtomic(join(group.dir, 'group.json'), meta);
    await group.ready;
    return group;
  }

  async deleteLogGroup(region: string, name: string): Promise<void> {
    const group = this.group(region, name);
    this.groupsOf(group.region).delete(group.meta.name);
    await removeIfExists(group.dir);
  }

  async createLogStream(group: LogGroup, name: string): Promise<LogStream> {
    checkStreamName(name);
    if (group.streams.has(name)) throw new AwsError('ResourceAlreadyExistsException', 'The specified log stream already exists');
    const stream: LogStream = {
      name,
      creationTime: Date.now(),
      file: join(group.dir, 'streams', `${fsName(name)}.ndjson`),
      events: [],
      lastIngestionTime: undefined,
      ready: Promise.resolve(),
    };
    group.streams.set(name, stream);
    stream.ready = group.ready.then(() => writeFileAtomic(stream.file, `${JSON.stringify({ name, creationTime: stream.creationTime })}\n`));
    await stream.ready;
    return stream;
  }

  async deleteLogStream(group: LogGroup, name: string): Promise<void> {
    const stream = this.stream(group, name);
    group.streams.delete(name);
    for (const e of stream.events) group.storedBytes -= Buffer.byteLength(e.message);
    await removeIfExists(stream.file);
  }

  /** Appends already-validated events; resolves once they are on disk. */
  async append(group: LogGroup, stream: LogStream, events: ReadonlyArray<{ timestamp: number; message: string }>): Promise<void> {
    if (events.length === 0) return;
    const ingestionTime = Date.now();
    let lines = '';
    for (const { timestamp, message } of events) {
      const event: LogEvent = { timestamp, ingestionTime, eventId: newEventId(timestamp, ingestionTime), message };
      insertSorted(stream.events, event);
      group.storedBytes += Buffer.byteLength(message);
      lines += `${JSON.stringify([timestamp, ingestionTime, event.eventId, message])}\n`;
    }
    stream.lastIngestionTime = ingestionTime;
    await stream.ready;
    await appendFile(stream.file, lines, { mode: FILE_MODE });
    await syncPath(stream.file); // group commit: concurrent appends to the stream share one fsync
  }

  /** LogsApi.appendEvents: creates the group and stream as Lambda's service role would. */
  async appendEvents(
    region: string,
    groupName: string,
    streamName: string,
    events: ReadonlyArray<{ timestamp: number; message: string }>,
    options: { createGroup?: boolean } = {},
  ): Promise<void> {
    const existing = this.groupsOf(region).get(groupName);
    if (!existing && options.createGroup === false) return;
    const group = existing ?? (await this.createLogGroup(region, groupName));
    const stream = group.streams.get(streamName) ?? (await this.createLogStream(group, streamName));
    await this.append(group, stream, events.filter((e) => e.message.length > 0));
  }

  async setRetention(group: LogGroup, days: number | undefined): Promise<void> {
    if (days === undefined) delete group.meta.retentionInDays;
    else group.meta.retentionInDays = checkRetention(days);
    await this.saveMeta(group);
  }

  async tag(group: LogGroup, tags: Record<string, string>): Promise<void> {
    group.meta.tags = checkTags({ ...group.meta.tags, ...tags });
    await this.saveMeta(group);
  }

  async untag(group: LogGroup, keys: readonly string[]): Promise<void> {
    for (const k of keys) delete group.meta.tags[k];
    await this.saveMeta(group);
  }

  private saveMeta(group: LogGroup): Promise<void> {
    return writeJsonAtomic(join(group.dir, 'group.json'), group.meta);
  }
}

function insertSorted(events: LogEvent[], event: LogEvent): void {
  if (events.length === 0 || events[events.length - 1]!.timestamp <= event.timestamp) {
    events.push(event);
    return;
  }
  let lo = 0;
  let hi = events.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (events[mid]!.timestamp <= event.timestamp) lo = mid + 1;
    else hi = mid;
  }
  events.splice(lo, 0, event);
}

async function listDir(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

