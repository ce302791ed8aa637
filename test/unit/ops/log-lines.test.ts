import { describe, expect, it } from 'vitest';
import { filterPattern, matches, parseLogLine } from '../../../src/ops/log-lines.js';

const event = (message: string, timestamp = 1_767_000_000_000) => ({ message, timestamp, eventId: 'e1', logStreamName: 's' });

const powertools = JSON.stringify({
  level: 'INFO',
  message: 'file processed',
  timestamp: '2026-01-05T10:00:00.000Z',
  service: 'shipment-processor',
  s3_key: 'incoming/a.json',
  records_processed: 25,
  records_rejected: 1,
});

describe('log lines', () => {
  it('reads Powertools JSON lines', () => {
    const line = parseLogLine(event(`${powertools}\n`));
    expect(line).toMatchObject({ level: 'INFO', message: 'file processed', raw: powertools, timestamp: 1_767_000_000_000 });
    expect(line.json?.['s3_key']).toBe('incoming/a.json');
  });

  it('reads Lambda platform records (no level) and text lines', () => {
    expect(parseLogLine(event('{"time":"2026-01-05T10:00:00Z","type":"platform.report","record":{"requestId":"r"}}'))).toMatchObject({ message: 'platform.report' });
    expect(parseLogLine(event('{"time":"x","type":"platform.report"}')).level).toBeUndefined();
    expect(parseLogLine(event('2026-01-05T10:00:00.000Z\tabc-123\tERROR\tboom'))).toMatchObject({ level: 'ERROR', message: 'boom' });
    expect(parseLogLine(event('START RequestId: abc Version: $LATEST'))).toMatchObject({ message: 'START RequestId: abc Version: $LATEST' });
    expect(parseLogLine(event('{not json')).json).toBeUndefined();
  });

  it("Lambda's lines about a failed invocation count as ERROR and name their request id", () => {
    const timeout = '{"time":"2026-01-05T10:00:03.000Z","type":"platform.runtimeDone","record":{"requestId":"r9","status":"timeout","metrics":{"durationMs":3000}}}';
    expect(parseLogLine(event(timeout))).toMatchObject({ level: 'ERROR', message: 'platform.runtimeDone', requestId: 'r9' });
    expect(parseLogLine(event(timeout.replace('timeout', 'error'))).level).toBe('ERROR');
    expect(parseLogLine(event(timeout.replace('"timeout"', '"success"'))).level).toBeUndefined();
    expect(parseLogLine(event('{"type":"platform.report","record":{"requestId":"r9","status":"timeout"}}')).level).toBe('ERROR');
    // a line of the function's own that happens to have a record.status is not a platform record
    expect(parseLogLine(event('{"message":"m","record":{"status":"error"}}')).level).toBeUndefined();
    expect(parseLogLine(event('2026-01-05T10:00:03.000Z 0f1e-22 Task timed out after 3.00 seconds'))).toMatchObject({ level: 'ERROR', requestId: '0f1e-22' });
    expect(parseLogLine(event('REPORT RequestId: ab-1\tDuration: 3000.00 ms\tStatus: timeout\t'))).toMatchObject({ level: 'ERROR', requestId: 'ab-1' });
    expect(parseLogLine(event('REPORT RequestId: ab-1\tDuration: 3.00 ms\t')).level).toBeUndefined();
    expect(parseLogLine(event('2026-01-05T10:00:00.000Z\tab-2\tINFO\thi')).requestId).toBe('ab-2');
    expect(parseLogLine(event(JSON.stringify({ level: 'INFO', message: 'm', function_request_id: 'ab-3' }))).requestId).toBe('ab-3');
  });

  it('filters by text, key and level (lines without a level count as INFO)', () => {
    const info = parseLogLine(event(powertools));
    const error = parseLogLine(event(JSON.stringify({ level: 'ERROR', message: 'transient error', s3_key: 'incoming/b.json' })));
    const platform = parseLogLine(event('REPORT RequestId: abc Duration: 1 ms'));
    expect(matches(info, { key: 'incoming/a.json' })).toBe(true);
    expect(matches(error, { key: 'incoming/a.json' })).toBe(false);
    expect(matches(error, { level: 'WARN' })).toBe(true);
    expect(matches(info, { level: 'WARN' })).toBe(false);
    expect(matches(platform, { level: 'INFO' })).toBe(true);
    expect(matches(platform, { level: 'ERROR' })).toBe(false);
    expect(matches(info, { text: 'processed', level: 'DEBUG' })).toBe(true);
  });

  it('filters server-side with quoted terms, or a JSON level pattern when there are no terms', () => {
    expect(filterPattern({})).toBeUndefined();
    expect(filterPattern({ level: 'INFO' })).toBeUndefined();
    expect(filterPattern({ text: 'say "hi"', key: 'incoming/a.json' })).toBe('"say \\"hi\\"" "incoming/a.json"');
    expect(filterPattern({ level: 'ERROR' })).toBe(
      '{ $.level = "ERROR" || $.level = "CRITICAL" || $.record.status = "timeout" || $.record.status = "error" || $.record.status = "failure" }',
    );
    expect(filterPattern({ level: 'CRITICAL' })).toBe('{ $.level = "CRITICAL" }');
    // With terms, the level is left to the client: the two pattern forms cannot be combined.
    expect(filterPattern({ key: 'incoming/a.json', level: 'ERROR' })).toBe('"incoming/a.json"');
  });
});
