/**
 * The pod processor's logic on in-memory ports: type from the bytes, the size and pixel caps before
 * decoding, EXIF, the thumbnail, the POD event and idempotence on (key, version).
 */
import jpeg from 'jpeg-js';
import { describe, expect, it } from 'vitest';
import { parsePodKey, thumbnailKey } from '../../../src/handlers/contract.js';
import { exifTime, readExif } from '../../../src/handlers/pod/exif.js';
import { processPhoto } from '../../../src/handlers/pod/process-photo.js';
import { MAX_PIXELS, readHeader, sniffType } from '../../../src/handlers/pod/sniff.js';
import { downscale, orient } from '../../../src/handlers/pod/thumbnail.js';
import { makeJpeg, pngDeclaring } from '../../helpers/images.js';
import { BUCKET, EVENT_TIME } from './helpers/factories.js';
import { podPorts, stored } from './helpers/pod.js';

const EXIF = { dateTimeOriginal: '2026:01:05 12:00:30', offset: '+02:00', latitude: 52.520008, longitude: -13.404954 };

describe('type sniffing', () => {
  it('recognises JPEG, PNG, WebP and HEIC by their signatures, whatever the name', () => {
    expect(sniffType(makeJpeg(8, 8))).toBe('jpeg');
    expect(sniffType(pngDeclaring(4, 4))).toBe('png');
    expect(sniffType(Buffer.from('RIFF\x24\x00\x00\x00WEBPVP8 ', 'latin1'))).toBe('webp');
    expect(sniffType(Buffer.from('\x00\x00\x00\x18ftypheic\x00\x00\x00\x00', 'latin1'))).toBe('heic');
    expect(sniffType(Buffer.from('\x00\x00\x00\x18ftypmif1\x00\x00\x00\x00', 'latin1'))).toBe('heic');
  });

  it('refuses anything else: text, GIF, AVIF, a truncated signature', () => {
    for (const bytes of ['hello, I am a .jpg', 'GIF89a\x01\x00\x01\x00', '\x00\x00\x00\x18ftypavif\x00\x00\x00\x00', '\xff\xd8', '']) {
      expect(sniffType(Buffer.from(bytes, 'latin1'))).toBeUndefined();
    }
    expect(() => readHeader(Buffer.from('not a photo'))).toThrow(/^not an image/);
  });
});

describe('pixel cap', () => {
  it('reads dimensions from the header and refuses a 50,000 × 50,000 PNG before decoding', () => {
    expect(readHeader(pngDeclaring(640, 480))).toEqual({ type: 'png', width: 640, height: 480 });
    expect(readHeader(makeJpeg(300, 200))).toEqual({ type: 'jpeg', width: 300, height: 200 });
    expect(() => readHeader(pngDeclaring(50_000, 50_000))).toThrow(/50000 × 50000 pixels \(2500 megapixels\), over the 24 megapixels cap; refused before decoding/);
    // Exactly at the cap passes; one row more does not.
    expect(readHeader(pngDeclaring(10_000, MAX_PIXELS / 10_000)).height).toBe(MAX_PIXELS / 10_000);
    expect(() => readHeader(pngDeclaring(10_000, MAX_PIXELS / 10_000 + 1))).toThrow(/cap/);
  });

  it('the refused bomb costs no memory: the whole run stays within a few MB', async () => {
    const ports = podPorts();
    const file = stored(ports, 'pod/S-1/bomb.png', pngDeclaring(50_000, 50_000));
    global.gc?.();
    const before = process.memoryUsage();
    const { item } = await processPhoto(file, ports, { environment: 'dev' });
    const after = process.memoryUsage();
    expect(item).toMatchObject({ processing_status: 'FAILED', quarantine_key: 'quarantine/pod/S-1/bomb.png', error_message: expect.stringMatching(/refused before decoding/) });
    // Decoding it would need 10 GB of RGBA; anything near that would show here.
    expect(after.rss - before.rss).toBeLessThan(64 * 1024 * 1024);
    expect(after.arrayBuffers - before.arrayBuffers).toBeLessThan(16 * 1024 * 1024);
  });

  it('refuses a file over the size cap without reading it', async () => {
    const ports = podPorts();
    const file = stored(ports, 'pod/S-1/big.jpg', makeJpeg(16, 16));
    const read = ports.objects.read.bind(ports.objects);
    let reads = 0;
    ports.objects.read = (...args) => (reads++, read(...args));
    const { item } = await processPhoto({ ...file, size: 30 * 1024 * 1024 }, ports, { environment: 'dev' });
    expect(item.error_message).toMatch(/^file too large: 30 MB, over the 25 MB cap/);
    // The only read is the quarantine copy (server-side on S3; the in-memory store reads to copy).
    expect(reads).toBe(1);
    expect(item.quarantine_key).toBe('quarantine/pod/S-1/big.jpg');
  });
});

describe('EXIF', () => {
  it('reads capture time (with its offset), GPS and orientation from an APP1 segment built by the test', async () => {
    expect(await readExif(makeJpeg(32, 24, { exif: { ...EXIF, orientation: 6 } }))).toEqual({
      capturedAt: '2026-01-05T10:00:30.000Z',
      capturedAtZone: 'exif',
      latitude: 52.520008,
      longitude: -13.404954,
      orientation: 6,
    });
    expect(await readExif(makeJpeg(8, 8))).toEqual({});
    expect(exifTime('2026:01:05 10:00:30', undefined)).toEqual({ capturedAt: '2026-01-05T10:00:30.000Z', capturedAtZone: 'assumed-utc' });
    expect(exifTime('2026:02:30 10:00:30', undefined)).toBeUndefined();
  });
});

describe('thumbnail', () => {
  it('shrinks to fit 256 px by area averaging and turns the image upright', () => {
    const data = new Uint8Array(1000 * 500 * 4).fill(200);
    const small = downscale({ width: 1000, height: 500, data }, 256);
    expect([small.width, small.height]).toEqual([256, 128]);
    expect(small.data[0]).toBe(200);
    const upright = orient(small, 6);
    expect([upright.width, upright.height]).toEqual([128, 256]);
  });
});

describe('processPhoto', () => {
  it('a JPEG with EXIF: SUCCESS with dimensions, a ≤ 256-px thumbnail, one POD event; the same event twice changes nothing', async () => {
    const ports = podPorts();
    const file = stored(ports, 'pod/S-1/door.jpg', makeJpeg(640, 480, { exif: EXIF }));
    const { item, duplicate } = await processPhoto(file, ports, { environment: 'dev' });
    expect(duplicate).toBe(false);
    expect(item).toMatchObject({ processing_status: 'SUCCESS', image_format: 'jpeg', image_width: 640, image_height: 480, captured_at: '2026-01-05T10:00:30.000Z', shipment_id: 'S-1', thumbnail_key: 'thumbnails/S-1/door.jpg.jpg' });
    const thumb = jpeg.decode(ports.objects.bytes(BUCKET, 'thumbnails/S-1/door.jpg.jpg')!);
    expect([thumb.width, thumb.height]).toEqual([256, 192]);
    const events = [...ports.events.items.values()];
    expect(events).toEqual([
      expect.objectContaining({ shipment_id: 'S-1', event_type: 'POD', timestamp: '2026-01-05T10:00:30.000Z', time_source: 'exif', width: 640, height: 480, latitude: 52.520008, longitude: -13.404954, source_key: file.key, source_version: file.versionId }),
    ]);
    expect((await processPhoto(file, ports, { environment: 'dev' })).duplicate).toBe(true);
    expect(ports.events.items.size).toBe(1);
  });

  it('a text file named .jpg is FAILED "not an image" and quarantined; a key outside pod/<id>/ too', async () => {
    const ports = podPorts();
    const { item } = await processPhoto(stored(ports, 'pod/S-1/fake.jpg', Buffer.from('just text')), ports, { environment: 'dev' });
    expect(item).toMatchObject({ processing_status: 'FAILED', error_message: expect.stringMatching(/^not an image/), quarantine_key: 'quarantine/pod/S-1/fake.jpg' });
    expect(ports.events.items.size).toBe(0);
    const loose = await processPhoto(stored(ports, 'pod/photo.jpg', makeJpeg(8, 8)), ports, { environment: 'dev' });
    expect(loose.item.error_message).toMatch(/pod\/<shipment_id>\/<name>/);
  });

  it('without EXIF the event takes the upload time', async () => {
    const ports = podPorts();
    await processPhoto(stored(ports, 'pod/S-2/a.png', pngDeclaring(4, 4)), ports, { environment: 'dev' }).catch(() => undefined);
    const { item } = await processPhoto(stored(ports, 'pod/S-2/b.jpg', makeJpeg(20, 10)), ports, { environment: 'dev' });
    expect(item.captured_at).toBeUndefined();
    expect([...ports.events.items.values()].find((e) => e['source_key'] === 'pod/S-2/b.jpg')).toMatchObject({ timestamp: EVENT_TIME, time_source: 'upload' });
  });
});

describe('pod keys', () => {
  it('parses pod/<shipment_id>/<name> and names thumbnails after the whole key', () => {
    expect(parsePodKey('pod/S-1/a/b.jpg')).toEqual({ shipmentId: 'S-1', name: 'a/b.jpg' });
    expect(parsePodKey('pod/S 1/a.jpg')).toBeUndefined();
    expect(parsePodKey('pod/S-1/')).toBeUndefined();
    expect(parsePodKey('incoming/S-1/a.jpg')).toBeUndefined();
    expect(thumbnailKey('pod/S-1/a.heic')).toBe('thumbnails/S-1/a.heic.jpg');
  });
});
