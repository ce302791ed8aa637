/**
 * Shrinking a decoded photo into an upright 256-px JPEG thumbnail (jpeg-js: pure JavaScript, so the
 * same bundle runs in the local Lambda runner and on Lambda arm64). decode.ts turns each accepted
 * type into pixels.
 */
import jpeg from 'jpeg-js';
import { decode } from './decode.js';
import type { Rgba } from './rgba.js';
import type { ImageHeader } from './sniff.js';

export const THUMBNAIL_SIZE = 256;
const THUMBNAIL_QUALITY = 80;

export async function thumbnail(bytes: Uint8Array, header: ImageHeader, orientation = 1): Promise<{ jpeg: Buffer; width: number; height: number }> {
  const image = await decode(bytes, header);
  // HEIF's own transform boxes (applied by libheif) already made it upright; its EXIF says the same again.
  const small = orient(downscale(image, THUMBNAIL_SIZE), header.type === 'heic' ? 1 : orientation);
  return { jpeg: jpeg.encode({ ...small, data: Buffer.from(small.data.buffer, small.data.byteOffset, small.data.byteLength) }, THUMBNAIL_QUALITY).data, width: small.width, height: small.height };
}

/** Area-averaging shrink so that the longer side is at most `max` (never enlarges). */
export function downscale(image: Rgba, max: number): Rgba {
  const scale = Math.min(1, max / Math.max(image.width, image.height));
  const width = Math.max(1, Math.round(image.width * scale));
  const height = Math.max(1, Math.round(image.height * scale));
  if (width === image.width && height === image.height) return image;
  const out = new Uint8Array(width * height * 4);
  const sums = new Float64Array(width * 4);
  const counts = new Uint32Array(width);
  // Each target row averages a band of source rows; each source pixel is read exactly once.
  for (let ty = 0; ty < height; ty++) {
    sums.fill(0);
    counts.fill(0);
    const y0 = Math.floor((ty * image.height) / height);
    const y1 = Math.max(y0 + 1, Math.floor(((ty + 1) * image.height) / height));
    for (let sy = y0; sy < y1; sy++) {
      const row = sy * image.width * 4;
      for (let sx = 0; sx < image.width; sx++) {
        const tx = Math.min(width - 1, Math.floor((sx * width) / image.width));
        const s = row + sx * 4;
        const t = tx * 4;
        sums[t] = sums[t]! + image.data[s]!;
        sums[t + 1] = sums[t + 1]! + image.data[s + 1]!;
        sums[t + 2] = sums[t + 2]! + image.data[s + 2]!;
        sums[t + 3] = sums[t + 3]! + image.data[s + 3]!;
        counts[tx]!++;
      }
    }
    for (let tx = 0; tx < width; tx++) {
      const o = (ty * width + tx) * 4;
      const n = counts[tx] || 1;
      for (let c = 0; c < 4; c++) out[o + c] = Math.round(sums[tx * 4 + c]! / n);
    }
  }
  return { width, height, data: out };
}

/** Turns the (small) image upright as its EXIF orientation says (1–8, TIFF 6.0's meaning). */
export function orient(image: Rgba, orientation: number): Rgba {
  if (!Number.isInteger(orientation) || orientation < 2 || orientation > 8) return image;
  const { width: w, height: h } = image;
  const swap = orientation >= 5;
  const width = swap ? h : w;
  const height = swap ? w : h;
  const out = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const [sx, sy] = source(orientation, x, y, w, h);
      out.set(image.data.subarray((sy * w + sx) * 4, (sy * w + sx) * 4 + 4), (y * width + x) * 4);
    }
  }
  return { width, height, data: out };
}

function source(orientation: number, x: number, y: number, w: number, h: number): [number, number] {
  switch (orientation) {
    case 2: return [w - 1 - x, y];
    case 3: return [w - 1 - x, h - 1 - y];
    case 4: return [x, h - 1 - y];
    case 5: return [y, x];
    case 6: return [y, h - 1 - x];
    case 7: return [w - 1 - y, h - 1 - x];
    default: return [w - 1 - y, x]; // 8
  }
}
