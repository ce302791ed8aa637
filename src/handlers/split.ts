/**
 * Pass 1 of processing a file: parsed items → validated → two NDJSON outputs, streamed as they come.
 * Accepted records go to the processed writer (always opened, so an all-rejected file still has a
 * processed object, empty); rejects go to the rejected writer, opened on the first reject.
 *
 * If anything fails, both outputs are aborted: a file that breaks half-way leaves no partial output.
 */
import type { ParsedItem } from './parse/index.js';
import type { ProcessedRecord } from './events.js';
import type { ObjectWriter, WrittenObject } from './ports.js';
import { validateRecord } from './validate.js';

/** One line of rejected/<key>.errors.ndjson. */
export interface RejectLine {
  record_number: number;
  line?: number;
  field: string | null;
  reason: string;
  record?: unknown;
  /** Instead of `record`, when it could not be shown (too deep to write, too large to read back here). */
  record_omitted?: string;
}

export interface SplitResult {
  /** Records the parser read; always accepted + rejected. */
  read: number;
  accepted: number;
  rejected: number;
  processed: WrittenObject;
  /** Whether a rejected output was written (only when there were rejects). */
  wroteRejected: boolean;
  /** The accepted records, when asked to keep them and they fitted (see SplitOptions.keepBytes). */
  records?: ProcessedRecord[];
}

export interface SplitOptions {
  /**
   * Keep the accepted records in memory as long as their processed lines total at most this many
   * bytes (UTF-16 units, a close enough measure), so the caller need not read the output back.
   */
  keepBytes?: number;
  /**
   * Accepted records whose processed line (UTF-8, without its newline) is larger than this are
   * rejected instead, with `tooLarge(bytes)` as the reason: the big-file path cannot carry them.
   */
  maxRecord?: { bytes: number; reason: (bytes: number) => string };
}

export async function splitRecords(
  items: AsyncIterable<ParsedItem>,
  open: { processed: () => ObjectWriter; rejected: () => ObjectWriter },
  options: SplitOptions = {},
): Promise<SplitResult> {
  const processed = open.processed();
  let kept: ProcessedRecord[] | undefined = options.keepBytes === undefined ? undefined : [];
  let keptBytes = 0;
  let rejected: ObjectWriter | undefined;
  let read = 0;
  let accepted = 0;
  let rejectCount = 0;

  const reject = async (line: RejectLine) => {
    rejectCount++;
    rejected ??= open.rejected();
    await rejected.write(`${rejectText(line)}\n`);
  };

  try {
    for await (const item of items) {
      read++;
      const position = { record_number: item.recordNumber, ...(item.line !== undefined && { line: item.line }) };
      if (item.kind === 'reject') {
        await reject({ ...position, field: item.field, reason: item.reason, ...(item.raw !== undefined && { record: item.raw }) });
        continue;
      }
      const result = validateRecord(item.value);
      if (!result.ok) {
        await reject({ ...position, field: result.field, reason: result.reason, record: item.value });
        continue;
      }
      const out: ProcessedRecord = { ...result.record, record_number: item.recordNumber };
      const text = `${JSON.stringify(out)}\n`;
      const tooLarge = options.maxRecord && oversize(text, options.maxRecord.bytes);
      if (tooLarge) {
        await reject({ ...position, field: null, reason: options.maxRecord!.reason(tooLarge), record: item.value });
        continue;
      }
      accepted++;
      if (kept) {
        keptBytes += text.length;
        if (keptBytes <= options.keepBytes!) kept.push(out);
        else kept = undefined; // too many: the caller reads the output back instead
      }
      await processed.write(text);
    }
    const written = await processed.close();
    if (rejected) await rejected.close();
    return { read, accepted, rejected: rejectCount, processed: written, wroteRejected: rejected !== undefined, ...(kept && { records: kept }) };
  } catch (err) {
    // Best effort: the original error is what the caller needs to see, not a failed cleanup.
    await Promise.allSettled([processed.abort(), rejected?.abort()]);
    throw err;
  }
}

/** The line's size in UTF-8 bytes (newline left out) when over `max`, else 0; measured only when it may be. */
function oversize(text: string, max: number): number {
  // A UTF-16 unit is at most 3 UTF-8 bytes: most lines are ruled out without counting.
  if ((text.length - 1) * 3 <= max) return 0;
  const bytes = Buffer.byteLength(text) - 1;
  return bytes > max ? bytes : 0;
}

/** A reject as one NDJSON line; a record too deep for JSON.stringify is left out rather than lost. */
function rejectText(line: RejectLine): string {
  try {
    return JSON.stringify(line);
  } catch {
    const { record: _omitted, ...rest } = line;
    return JSON.stringify({ ...rest, record_omitted: 'too deeply nested to show' });
  }
}
