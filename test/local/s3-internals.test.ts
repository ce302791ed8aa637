/** The S3 emulator's pure pieces, against published check values and framings split at every byte. */
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { checksumOf, compositeChecksum, newHasher } from '../../src/local/services/s3/checksums.js';
import { AwsChunkedDecoder } from '../../src/local/services/s3/chunked.js';
import { byteRange } from '../../src/local/services/s3/get-object.js';
import { urlEncode } from '../../src/local/services/s3/list-ops.js';
import { eventKey } from '../../src/local/services/s3/notifications.js';
import { compareKeys } from '../../src/local/services/s3/objects.js';

const hex = (b64: string) => Buffer.from(b64, 'base64').toString('hex');

describe('S3 checksums', () => {
  it('match the catalogued check values for "123456789"', () => {
    const input = Buffer.from('123456789');
    expect(hex(checksumOf('CRC32', input))).toBe('cbf43926');
    expect(hex(checksumOf('CRC32C', input))).toBe('e3069283');
    expect(hex(checksumOf('CRC64NVME', input))).toBe('ae8b14860a799888');
    expect(hex(checksumOf('SHA1', input))).toBe('f7c3bc1d808e04732adf679965ccc34ca7ae3441');
  });

  it('give the same digest however the input is split (the 8-byte fast path and the tail)', () => {
    const data = Buffer.from(Array.from({ length: 1000 }, (_, i) => (i * 31 + 7) & 0xff));
    for (const algorithm of ['CRC32', 'CRC32C', 'CRC64NVME'] as const) {
      const whole = checksumOf(algorithm, data);
      for (const cut of [1, 3, 7, 8, 9, 500, 999]) {
        const h = newHasher(algorithm);
        h.update(data.subarray(0, cut));
        h.update(data.subarray(cut));
        expect(h.digest().toString('base64')).toBe(whole);
      }
    }
  });

  it('builds a composite checksum from the parts’ binary checksums, suffixed with the part count', () => {
    const parts = [checksumOf('CRC32', Buffer.from('a')), checksumOf('CRC32', Buffer.from('b'))];
    const joined = Buffer.concat(parts.map((p) => Buffer.from(p, 'base64')));
    expect(compositeChecksum('CRC32', parts)).toBe(`${checksumOf('CRC32', joined)}-2`);
  });
});

describe('aws-chunked decoding', () => {
  const framed = Buffer.from('5;chunk-signature=abc\r\nhello\r\n6\r\n world\r\n0\r\nx-amz-checksum-crc32:NhCmhg==\r\n\r\n');

  it('decodes a body split at every possible byte boundary', async () => {
    for (let cut = 1; cut < framed.length; cut++) {
      const decoder = new AwsChunkedDecoder();
      const out: Buffer[] = [];
      decoder.on('data', (c: Buffer) => out.push(c));
      await pipeline(Readable.from([framed.subarray(0, cut), framed.subarray(cut)]), decoder);
      expect(Buffer.concat(out).toString()).toBe('hello world');
      expect(decoder.trailers.get('x-amz-checksum-crc32')).toBe('NhCmhg==');
    }
  });

  it('rejects a truncated body', async () => {
    await expect(pipeline(Readable.from([Buffer.from('5\r\nhel')]), new AwsChunkedDecoder())).rejects.toMatchObject({ code: 'IncompleteBody' });
  });
});

describe('S3 key encodings', () => {
  it('writes event keys form-encoded with / kept, as S3 events carry them', () => {
    expect(eventKey('incoming/red flower.jpg')).toBe('incoming/red+flower.jpg');
    expect(eventKey("a+b=c:d(1)!'~*.-_")).toBe('a%2Bb%3Dc%3Ad%281%29%21%27%7E*.-_');
    expect(eventKey('ü/文')).toBe('%C3%BC/%E6%96%87');
  });

  it('writes list keys with encoding-type=url as RFC 3986 percent-encoding with / kept', () => {
    expect(urlEncode('quux ab/')).toBe('quux%20ab/');
    expect(urlEncode('foo+1/')).toBe('foo%2B1/');
    expect(urlEncode("a~b*c(1)'")).toBe('a~b%2Ac%281%29%27');
  });

  it('orders keys by code point, as S3 orders them by UTF-8 bytes', () => {
    const keys = ['\u{1F600}', '\uFFFD', 'z', 'a', 'é'];
    expect([...keys].sort(compareKeys)).toEqual([...keys].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b))));
  });

  it('parses ranges as S3 does', () => {
    expect(byteRange('bytes=0-0', 10)).toEqual({ start: 0, end: 0 });
    expect(byteRange('bytes=-20', 10)).toEqual({ start: 0, end: 9 });
    expect(byteRange('bytes=0-1,4-5', 10)).toBeUndefined();
    expect(byteRange('items=0-1', 10)).toBeUndefined();
    expect(() => byteRange('bytes=10-', 10)).toThrow(expect.objectContaining({ code: 'InvalidRange' }));
    expect(() => byteRange('bytes=0-', 0)).toThrow(expect.objectContaining({ code: 'InvalidRange' }));
  });
});
