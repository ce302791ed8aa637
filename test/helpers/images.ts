/**
 * Test images, made here rather than downloaded: a JPEG (jpeg-js) with an EXIF APP1 segment built
 * byte by byte (TIFF 6.0 / EXIF 2.32 layout, little-endian), a PNG whose IHDR declares any size, a
 * WebP (libwebp through @jsquash/webp) and a WebP header declaring any size. One small HEIC file is
 * committed and described below (doorHeic).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { crc32, deflateSync } from 'node:zlib';
import jpeg from 'jpeg-js';
import { compileWasm } from '../../src/handlers/pod/wasm.js';

export interface ExifFields {
  /** `YYYY:MM:DD HH:MM:SS`, as cameras write DateTimeOriginal. */
  dateTimeOriginal?: string;
  /** `+02:00`: OffsetTimeOriginal. */
  offset?: string;
  latitude?: number;
  longitude?: number;
  orientation?: number;
}

/** A width × height JPEG of a diagonal gradient, plus noise of amplitude `noise` (0–255: like a photo, less compressible). */
export function makeJpeg(width: number, height: number, options: { exif?: ExifFields; quality?: number; noise?: number } = {}): Buffer {
  const data = Buffer.alloc(width * height * 4);
  let seed = 12345;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 4;
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      const n = options.noise ? (seed >> 16) % options.noise : 0;
      data[i] = ((x * 255) / width + n) & 255;
      data[i + 1] = ((y * 255) / height + n) & 255;
      data[i + 2] = (((x + y) * 128) / (width + height) + n) & 255;
      data[i + 3] = 255;
    }
  }
  const encoded = jpeg.encode({ data, width, height }, options.quality ?? 85).data;
  return options.exif ? insertExif(encoded, options.exif) : encoded;
}

/** Inserts an APP1 `Exif\0\0` segment right after SOI. */
export function insertExif(jpegBytes: Buffer, fields: ExifFields): Buffer {
  const tiff = exifTiff(fields);
  const payload = Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), tiff]);
  const header = Buffer.alloc(4);
  header.writeUInt16BE(0xffe1, 0);
  header.writeUInt16BE(payload.length + 2, 2);
  return Buffer.concat([jpegBytes.subarray(0, 2), header, payload, jpegBytes.subarray(2)]);
}

type Entry = { tag: number; type: number; count: number; data: Buffer };
const ascii = (tag: number, text: string): Entry => ({ tag, type: 2, count: text.length + 1, data: Buffer.from(`${text}\0`, 'latin1') });
const short = (tag: number, value: number): Entry => {
  const data = Buffer.alloc(4);
  data.writeUInt16LE(value, 0);
  return { tag, type: 3, count: 1, data };
};
const long = (tag: number, value: number): Entry => {
  const data = Buffer.alloc(4);
  data.writeUInt32LE(value, 0);
  return { tag, type: 4, count: 1, data };
};
const rationals = (tag: number, values: [number, number][]): Entry => {
  const data = Buffer.alloc(values.length * 8);
  values.forEach(([n, d], i) => {
    data.writeUInt32LE(n, i * 8);
    data.writeUInt32LE(d, i * 8 + 4);
  });
  return { tag, type: 5, count: values.length, data };
};

function dms(value: number): [number, number][] {
  const abs = Math.abs(value);
  const d = Math.floor(abs);
  const m = Math.floor((abs - d) * 60);
  const s = Math.round(((abs - d) * 60 - m) * 60 * 10000);
  return [[d, 1], [m, 1], [s, 10000]];
}

const ifdSize = (entries: Entry[]) => 2 + entries.length * 12 + 4 + entries.reduce((n, e) => n + (e.data.length > 4 ? e.data.length + (e.data.length % 2) : 0), 0);

/** One IFD at `offset` (from the TIFF header), its out-of-line values right after it. */
function writeIfd(entries: Entry[], offset: number): Buffer {
  const sorted = [...entries].sort((a, b) => a.tag - b.tag);
  const out = Buffer.alloc(ifdSize(sorted));
  out.writeUInt16LE(sorted.length, 0);
  let dataAt = 2 + sorted.length * 12 + 4;
  sorted.forEach((e, i) => {
    const at = 2 + i * 12;
    out.writeUInt16LE(e.tag, at);
    out.writeUInt16LE(e.type, at + 2);
    out.writeUInt32LE(e.count, at + 4);
    if (e.data.length <= 4) e.data.copy(out, at + 8);
    else {
      out.writeUInt32LE(offset + dataAt, at + 8);
      e.data.copy(out, dataAt);
      dataAt += e.data.length + (e.data.length % 2);
    }
  });
  return out; // next-IFD offset stays 0
}

function exifTiff(fields: ExifFields): Buffer {
  const exif: Entry[] = [];
  if (fields.dateTimeOriginal) exif.push(ascii(0x9003, fields.dateTimeOriginal));
  if (fields.offset) exif.push(ascii(0x9011, fields.offset));
  const gps: Entry[] = [];
  if (fields.latitude !== undefined && fields.longitude !== undefined) {
    gps.push(ascii(0x0001, fields.latitude < 0 ? 'S' : 'N'), rationals(0x0002, dms(fields.latitude)));
    gps.push(ascii(0x0003, fields.longitude < 0 ? 'W' : 'E'), rationals(0x0004, dms(fields.longitude)));
  }
  const ifd0: Entry[] = [];
  if (fields.orientation) ifd0.push(short(0x0112, fields.orientation));
  // Pointers are LONGs whose values depend on the sizes before them: lay out with placeholders first.
  if (exif.length) ifd0.push(long(0x8769, 0));
  if (gps.length) ifd0.push(long(0x8825, 0));
  const ifd0At = 8;
  const exifAt = ifd0At + ifdSize(ifd0);
  const gpsAt = exifAt + (exif.length ? ifdSize(exif) : 0);
  for (const e of ifd0) {
    if (e.tag === 0x8769) e.data.writeUInt32LE(exifAt, 0);
    if (e.tag === 0x8825) e.data.writeUInt32LE(gpsAt, 0);
  }
  const header = Buffer.from([0x49, 0x49, 0x2a, 0x00, 0x08, 0x00, 0x00, 0x00]);
  return Buffer.concat([header, writeIfd(ifd0, ifd0At), ...(exif.length ? [writeIfd(exif, exifAt)] : []), ...(gps.length ? [writeIfd(gps, gpsAt)] : [])]);
}

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length, 0);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body), 0);
  return Buffer.concat([length, body, crc]);
}

/**
 * A PNG whose IHDR declares width × height (8-bit RGBA) followed by a few rows of real data: the
 * shape of a decompression bomb, which claims far more pixels than its bytes could hold uncompressed.
 */
export function pngDeclaring(width: number, height: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // RGBA
  const rows = deflateSync(Buffer.alloc(Math.min(width * 4 + 1, 1 << 20) * 4));
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', rows), chunk('IEND', Buffer.alloc(0))]);
}

/** Pixels of the same gradient makeJpeg draws, as RGBA. */
function gradient(width: number, height: number): Uint8ClampedArray {
  const data = new Uint8ClampedArray(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 4;
      data.set([(x * 255) / width, (y * 255) / height, ((x + y) * 128) / (width + height), 255], i);
    }
  }
  return data;
}

/** A width × height lossy WebP of a gradient, encoded by @jsquash/webp's libwebp (the decoder's sibling). */
export async function makeWebp(width: number, height: number): Promise<Buffer> {
  const codec = await import('@jsquash/webp/encode.js');
  // Node cannot fetch the .wasm itself: compile it from the package and hand it over (as decode.ts does).
  await codec.init(await compileWasm(readFileSync(createRequire(import.meta.url).resolve('@jsquash/webp/codec/enc/webp_enc.wasm'))));
  return Buffer.from(await codec.default({ data: gradient(width, height), width, height, colorSpace: 'srgb' }, { quality: 75 }));
}

/**
 * A WebP whose VP8X chunk declares width × height (up to 2^24 each) with no image data after it:
 * a decompression bomb's header, refused before anything is decoded.
 */
export function webpDeclaring(width: number, height: number): Buffer {
  const vp8x = Buffer.alloc(10);
  vp8x.writeUIntLE(width - 1, 4, 3);
  vp8x.writeUIntLE(height - 1, 7, 3);
  const chunk = Buffer.concat([Buffer.from('VP8X', 'latin1'), Buffer.from([10, 0, 0, 0]), vp8x]);
  const size = Buffer.alloc(4);
  size.writeUInt32LE(4 + chunk.length, 0);
  return Buffer.concat([Buffer.from('RIFF', 'latin1'), size, Buffer.from('WEBP', 'latin1'), chunk]);
}

/**
 * The one image not made here, since no HEVC encoder runs in Node: test/fixtures/images/
 * door-512x384-exif.heic (1.8 KB), made once with libheif's `heif-enc -q 40` (libheif 1.15.1, x265)
 * from `makeJpeg(512, 384, { exif: DOOR_EXIF })`: a 512 × 384 gradient whose EXIF says taken
 * 2026-01-05 12:00:30 +02:00 at 52.520008, 13.404954.
 */
export const DOOR_EXIF = { dateTimeOriginal: '2026:01:05 12:00:30', offset: '+02:00', latitude: 52.520008, longitude: 13.404954 } as const;

export function doorHeic(): Buffer {
  return readFileSync(new URL('../fixtures/images/door-512x384-exif.heic', import.meta.url));
}
