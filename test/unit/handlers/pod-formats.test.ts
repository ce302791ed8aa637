/**
 * WebP and HEIC photos through the pod processor on in-memory ports: each gets a ≤ 256-px JPEG
 * thumbnail (libwebp and libheif as WebAssembly); a truncated file, and a WebP whose header declares
 * more pixels than the cap, are FAILED with the reason and quarantined instead of retried.
 */
import jpeg from 'jpeg-js';
import { describe, expect, it } from 'vitest';
import { heifExifTiff } from '../../../src/handlers/pod/heif-exif.js';
import { processPhoto } from '../../../src/handlers/pod/process-photo.js';
import { readHeader } from '../../../src/handlers/pod/sniff.js';
import { thumbnail } from '../../../src/handlers/pod/thumbnail.js';
import { doorHeic, makeJpeg, makeWebp, webpDeclaring } from '../../helpers/images.js';
import { BUCKET } from './helpers/factories.js';
import { podPorts, stored } from './helpers/pod.js';

const decodeThumbnail = (ports: ReturnType<typeof podPorts>, key: string) => jpeg.decode(ports.objects.bytes(BUCKET, key)!);

describe('JPEG (libjpeg as WebAssembly)', () => {
  it("a truncated JPEG is FAILED with libjpeg's reason, not thumbnailed half grey", async () => {
    const ports = podPorts();
    const whole = makeJpeg(400, 300, { noise: 18 });
    const { item } = await processPhoto(stored(ports, 'pod/S-1/cut.jpg', whole.subarray(0, Math.floor(whole.length * 0.6))), ports, { environment: 'dev' });
    expect(item).toMatchObject({ processing_status: 'FAILED', error_message: expect.stringMatching(/^not an image: the JPEG data cannot be decoded \(libjpeg: Premature end of JPEG file/), quarantine_key: 'quarantine/pod/S-1/cut.jpg' });
  });

  it('decodes the pixels themselves: a 600 × 300 gradient keeps its left-to-right red ramp in the thumbnail', async () => {
    const thumb = jpeg.decode((await thumbnail(makeJpeg(600, 300), { type: 'jpeg', width: 600, height: 300 })).jpeg);
    expect([thumb.width, thumb.height]).toEqual([256, 128]);
    const red = (x: number) => thumb.data[(64 * 256 + x) * 4]!;
    expect(red(250) - red(5)).toBeGreaterThan(180);
  });
});

describe('WebP', () => {
  it('a 600 × 400 WebP: SUCCESS, and a 256 × 171 thumbnail that still shows the gradient', async () => {
    const ports = podPorts();
    const file = stored(ports, 'pod/S-1/door.webp', await makeWebp(600, 400));
    const { item } = await processPhoto(file, ports, { environment: 'dev' });
    expect(item).toMatchObject({ processing_status: 'SUCCESS', image_format: 'webp', image_width: 600, image_height: 400, thumbnail_key: 'thumbnails/S-1/door.webp.jpg' });
    const thumb = decodeThumbnail(ports, 'thumbnails/S-1/door.webp.jpg');
    expect([thumb.width, thumb.height]).toEqual([256, 171]);
    // Red grows left to right in the source: the decoded pixels are the image, not a blank buffer.
    const red = (x: number) => thumb.data[(85 * 256 + x) * 4]!;
    expect(red(250) - red(5)).toBeGreaterThan(180);
  });

  it('a truncated WebP is FAILED "cannot be decoded" and quarantined', async () => {
    const ports = podPorts();
    const whole = await makeWebp(300, 200);
    const { item } = await processPhoto(stored(ports, 'pod/S-1/cut.webp', whole.subarray(0, Math.floor(whole.length / 2))), ports, { environment: 'dev' });
    expect(item).toMatchObject({ processing_status: 'FAILED', error_message: expect.stringMatching(/^not an image: the WEBP data cannot be decoded/), quarantine_key: 'quarantine/pod/S-1/cut.webp' });
    expect(ports.events.items.size).toBe(0);
  });

  it('a WebP declaring 16,000 × 16,000 pixels is refused from its header, before decoding', async () => {
    expect(readHeader(webpDeclaring(640, 480))).toEqual({ type: 'webp', width: 640, height: 480 });
    const ports = podPorts();
    const { item } = await processPhoto(stored(ports, 'pod/S-1/bomb.webp', webpDeclaring(16_000, 16_000)), ports, { environment: 'dev' });
    expect(item).toMatchObject({ processing_status: 'FAILED', error_message: expect.stringMatching(/16000 × 16000 pixels .* refused before decoding/), quarantine_key: 'quarantine/pod/S-1/bomb.webp' });
  });
});

describe('HEIC', () => {
  it('the committed 512 × 384 HEIC: SUCCESS with its EXIF capture time and position, and a 256 × 192 thumbnail', async () => {
    const ports = podPorts();
    const { item } = await processPhoto(stored(ports, 'pod/S-1/door.heic', doorHeic()), ports, { environment: 'dev' });
    expect(item).toMatchObject({ processing_status: 'SUCCESS', image_format: 'heic', image_width: 512, image_height: 384, captured_at: '2026-01-05T10:00:30.000Z', thumbnail_key: 'thumbnails/S-1/door.heic.jpg' });
    const thumb = decodeThumbnail(ports, 'thumbnails/S-1/door.heic.jpg');
    expect([thumb.width, thumb.height]).toEqual([256, 192]);
    const green = (y: number) => thumb.data[(y * 256 + 128) * 4 + 1]!;
    expect(green(188) - green(3)).toBeGreaterThan(180);
    expect([...ports.events.items.values()]).toEqual([expect.objectContaining({ event_type: 'POD', image_format: 'heic', latitude: 52.520008, longitude: 13.404954 })]);
  });

  it('HEIC is not turned by its EXIF orientation: libheif has already applied the file’s own rotation', async () => {
    const upright = await thumbnail(doorHeic(), { type: 'heic', width: 512, height: 384 }, 6);
    expect([upright.width, upright.height]).toEqual([256, 192]);
  });

  it('a truncated HEIC is FAILED with libheif’s reason and quarantined; so is one cut inside its header', async () => {
    const ports = podPorts();
    const heic = doorHeic();
    for (const [name, length] of [['cut.heic', 900], ['stub.heic', 40]] as const) {
      const { item } = await processPhoto(stored(ports, `pod/S-1/${name}`, heic.subarray(0, length)), ports, { environment: 'dev' });
      expect(item).toMatchObject({ processing_status: 'FAILED', error_message: expect.stringMatching(/^not an image: the HEIC (data cannot be decoded \(libheif: |header cannot be read)/), quarantine_key: `quarantine/pod/S-1/${name}` });
    }
    expect(ports.events.items.size).toBe(0);
  });
});

describe('HEIC EXIF location', () => {
  it('finds the Exif item through iloc, base_offset included (which exifr alone misses)', () => {
    const tiff = heifExifTiff(doorHeic());
    expect(Buffer.from(tiff!.subarray(0, 4)).toString('latin1')).toBe('II*\0');
  });

  it('every prefix of the file, and bytes that are no HEIF at all, give undefined rather than an error', () => {
    const heic = doorHeic();
    for (let n = 0; n < heic.length; n += 7) expect(() => heifExifTiff(heic.subarray(0, n))).not.toThrow();
    expect(heifExifTiff(Buffer.from('\x00\x00\x00\x10metaXXXXXXXX', 'latin1'))).toBeUndefined();
  });
});
