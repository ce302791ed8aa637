/**
 * What a photo is, from its bytes (never its name), and whether it may be decoded at all. Pure.
 *
 * The type comes from the signature at the start of the file; the dimensions from the header alone
 * (image-size reads the PNG IHDR, the JPEG SOF marker, WebP's VP8/VP8L/VP8X chunk, HEIF's ispe box),
 * so a decompression bomb — a small file that declares billions of pixels — is refused before any
 * pixel buffer exists.
 */
import { imageSize } from 'image-size';
import { FileFormatError } from '../errors.js';

export type ImageType = 'jpeg' | 'png' | 'webp' | 'heic';

/** Larger files are refused without being read: a 12-megapixel phone JPEG is 3–6 MB. */
export const MAX_PHOTO_BYTES = 25 * 1024 * 1024;
/**
 * Larger images are refused from their header. A 12 MP JPEG peaks at 224 MB with libjpeg in
 * WebAssembly (bench/pod.ts), 496 MB with jpeg-js (~35 bytes per pixel; the fallback for CMYK JPEGs),
 * so even the fallback at 24 MP (~0.9 GB) fits the function's 1536 MB; 24 MP covers phone photos
 * (12 MP, or 48 MP sensors binned to 12) and most cameras.
 */
export const MAX_PIXELS = 24_000_000;

// ISO-BMFF major brands of HEIF images (ISO/IEC 23008-12); `avif` and video brands are not photos we read.
const HEIF_BRANDS = new Set(['heic', 'heix', 'hevc', 'hevx', 'heim', 'heis', 'mif1', 'msf1']);

const ascii = (bytes: Uint8Array, from: number, to: number) => String.fromCharCode(...bytes.subarray(from, to));

/** The image type the bytes start with, or undefined when they are not one of the four we accept. */
export function sniffType(bytes: Uint8Array): ImageType | undefined {
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  if (bytes.length >= 8 && [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a].every((b, i) => bytes[i] === b)) return 'png';
  if (bytes.length >= 12 && ascii(bytes, 0, 4) === 'RIFF' && ascii(bytes, 8, 12) === 'WEBP') return 'webp';
  if (bytes.length >= 12 && ascii(bytes, 4, 8) === 'ftyp' && HEIF_BRANDS.has(ascii(bytes, 8, 12))) return 'heic';
  return undefined;
}

export interface ImageHeader {
  readonly type: ImageType;
  readonly width: number;
  readonly height: number;
}

/**
 * The type and declared dimensions; throws FileFormatError (the file's fault, final) when the bytes
 * are not an accepted image, the header cannot be read, or it declares more than `maxPixels`.
 */
export function readHeader(bytes: Uint8Array, maxPixels = MAX_PIXELS): ImageHeader {
  const type = sniffType(bytes);
  if (!type) throw new FileFormatError('not an image: the content is none of JPEG, PNG, WebP or HEIC, whatever its name says');
  let size: { width?: number; height?: number };
  try {
    size = imageSize(bytes);
  } catch (err) {
    throw new FileFormatError(`not an image: the ${type.toUpperCase()} header cannot be read (${(err as Error).message})`);
  }
  const { width, height } = size;
  if (!width || !height) throw new FileFormatError(`not an image: the ${type.toUpperCase()} header declares no dimensions`);
  checkPixels(width, height, maxPixels);
  return { type, width, height };
}

/** Refuses an image whose declared size is over the cap, before anything is decoded. */
export function checkPixels(width: number, height: number, maxPixels = MAX_PIXELS): void {
  if (width * height > maxPixels) {
    const mp = (n: number) => `${Math.round((n / 1e6) * 10) / 10} megapixels`;
    throw new FileFormatError(
      `image too large: it declares ${width} × ${height} pixels (${mp(width * height)}), over the ${mp(maxPixels)} cap; refused before decoding`,
    );
  }
}
