/**
 * The EXIF facts a proof-of-delivery photo carries: when it was taken, where, and which way up.
 * exifr reads them from JPEG, PNG, WebP and HEIC alike; values are read raw (no Date objects, which
 * would be interpreted in the machine's own time zone) and converted here.
 */
import * as exifrModule from 'exifr';
import { parseIsoTimestamp } from '../timestamp.js';
import { heifExifTiff } from './heif-exif.js';
import type { ImageType } from './sniff.js';

export interface PhotoExif {
  /** ISO-8601 UTC. EXIF times without an OffsetTime* tag are taken as UTC (`capturedAtZone: 'assumed-utc'`). */
  capturedAt?: string;
  capturedAtZone?: 'exif' | 'assumed-utc';
  latitude?: number;
  longitude?: number;
  /** 1–8 (TIFF orientation); absent when the photo does not say. */
  orientation?: number;
}

// exifr's ESM build (what esbuild bundles) has only named exports, its UMD build (what Node loads) only a default.
const exifr = ((exifrModule as unknown as { default?: { parse: typeof exifrModule.parse } }).default ?? exifrModule) as { parse: typeof exifrModule.parse };

const TAGS = ['DateTimeOriginal', 'CreateDate', 'OffsetTimeOriginal', 'OffsetTime', 'Orientation', 'GPSLatitude', 'GPSLatitudeRef', 'GPSLongitude', 'GPSLongitudeRef'];

/**
 * Reads what is there; a photo without EXIF, or with EXIF exifr cannot read, simply has none. For
 * HEIC, the EXIF block is located here (heif-exif.ts) and exifr reads the TIFF structure in it.
 */
export async function readExif(bytes: Uint8Array, type?: ImageType): Promise<PhotoExif> {
  let raw: Record<string, unknown> | undefined;
  try {
    raw = (await exifr.parse((type === 'heic' && heifExifTiff(bytes)) || bytes, { pick: TAGS, reviveValues: false, translateValues: false, translateKeys: true })) as Record<string, unknown> | undefined;
  } catch {
    return {};
  }
  if (!raw) return {};
  const out: PhotoExif = {};
  const time = exifTime(raw['DateTimeOriginal'] ?? raw['CreateDate'], raw['OffsetTimeOriginal'] ?? raw['OffsetTime']);
  if (time) Object.assign(out, time);
  const latitude = coordinate(raw['GPSLatitude'], raw['GPSLatitudeRef'], 'S', 90);
  const longitude = coordinate(raw['GPSLongitude'], raw['GPSLongitudeRef'], 'W', 180);
  if (latitude !== undefined && longitude !== undefined) Object.assign(out, { latitude, longitude });
  const orientation = raw['Orientation'];
  if (typeof orientation === 'number' && Number.isInteger(orientation) && orientation >= 1 && orientation <= 8) out.orientation = orientation;
  return out;
}

/** `2026:01:05 10:00:30` (+ `+02:00`) → `2026-01-05T08:00:30.000Z`. */
export function exifTime(value: unknown, offset: unknown): Pick<PhotoExif, 'capturedAt' | 'capturedAtZone'> | undefined {
  if (typeof value !== 'string') return undefined;
  const m = /^(\d{4}):(\d{2}):(\d{2}) (\d{2}):(\d{2}):(\d{2})/.exec(value.trim());
  if (!m) return undefined;
  const zone = typeof offset === 'string' && /^[+-]\d{2}:\d{2}$/.test(offset.trim()) ? offset.trim() : undefined;
  const ms = parseIsoTimestamp(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}${zone ?? 'Z'}`);
  if (ms === undefined) return undefined;
  return { capturedAt: new Date(ms).toISOString(), capturedAtZone: zone ? 'exif' : 'assumed-utc' };
}

/** Degrees, minutes, seconds (rationals already divided by exifr) and N/S/E/W → signed degrees. */
function coordinate(dms: unknown, ref: unknown, negative: string, limit: number): number | undefined {
  const parts = Array.isArray(dms) ? dms.map(Number) : typeof dms === 'number' ? [dms] : [];
  if (parts.length === 0 || parts.some((n) => !Number.isFinite(n))) return undefined;
  const [d = 0, m = 0, s = 0] = parts;
  const value = (d + m / 60 + s / 3600) * (String(ref).trim().toUpperCase() === negative ? -1 : 1);
  if (Math.abs(value) > limit) return undefined;
  return Math.round(value * 1e7) / 1e7;
}
