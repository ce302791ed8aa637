/**
 * The EXIF block of a HEIF file, found through its item boxes (ISO/IEC 14496-12 `meta` → `iinf`,
 * `iloc`; ISO/IEC 23008-12 Annex A for the Exif item). exifr finds it too, but ignores `iloc`'s
 * base_offset, which libheif-based writers use: it then reads the wrong bytes and finds no EXIF.
 * Pure and bounded: every offset is checked against the file before it is read.
 */

interface Box {
  type: string;
  /** Where the payload starts (after the header, and after version/flags for a full box: not here). */
  start: number;
  end: number;
}

function* boxes(view: DataView, from: number, to: number): Generator<Box> {
  let at = from;
  while (at + 8 <= to) {
    let size = view.getUint32(at);
    const type = String.fromCharCode(view.getUint8(at + 4), view.getUint8(at + 5), view.getUint8(at + 6), view.getUint8(at + 7));
    let header = 8;
    if (size === 1) {
      if (at + 16 > to) return;
      size = Number(view.getBigUint64(at + 8));
      header = 16;
    } else if (size === 0) size = to - at;
    if (size < header || at + size > to) return;
    yield { type, start: at + header, end: at + size };
    at += size;
  }
}

const child = (view: DataView, parent: Box, type: string, fullBox: boolean) => {
  for (const b of boxes(view, parent.start + (fullBox ? 4 : 0), parent.end)) if (b.type === type) return b;
  return undefined;
};

/** Reads an unsigned big-endian integer of 0, 4 or 8 bytes (as iloc's field sizes allow). */
function uint(view: DataView, at: number, size: number): number {
  if (size === 0) return 0;
  if (size === 2) return view.getUint16(at);
  if (size === 4) return view.getUint32(at);
  if (size === 8) return Number(view.getBigUint64(at));
  throw new RangeError(`unsupported field size ${size}`);
}

/** The item id of the first `Exif` item in `iinf`. */
function exifItemId(view: DataView, iinf: Box): number | undefined {
  const version = view.getUint8(iinf.start);
  const first = iinf.start + 4 + (version === 0 ? 2 : 4);
  for (const infe of boxes(view, first, iinf.end)) {
    if (infe.type !== 'infe') continue;
    const v = view.getUint8(infe.start);
    if (v < 2) continue;
    const idSize = v === 2 ? 2 : 4;
    const typeAt = infe.start + 4 + idSize + 2;
    if (typeAt + 4 > infe.end) continue;
    const type = String.fromCharCode(...new Uint8Array(view.buffer, view.byteOffset + typeAt, 4));
    if (type === 'Exif') return uint(view, infe.start + 4, idSize);
  }
  return undefined;
}

/** [offset, length] of the item's single extent in the file, base_offset included. */
function itemExtent(view: DataView, iloc: Box, wanted: number): [number, number] | undefined {
  const version = view.getUint8(iloc.start);
  let at = iloc.start + 4;
  const sizes = view.getUint8(at);
  const more = view.getUint8(at + 1);
  const [offsetSize, lengthSize, baseSize, indexSize] = [sizes >> 4, sizes & 15, more >> 4, version >= 1 ? more & 15 : 0];
  at += 2;
  const idSize = version === 2 ? 4 : 2;
  const count = uint(view, at, idSize);
  at += idSize;
  for (let i = 0; i < count; i++) {
    const id = uint(view, at, idSize);
    at += idSize;
    const method = version >= 1 ? view.getUint16(at) & 15 : 0;
    at += (version >= 1 ? 2 : 0) + 2; // construction_method, data_reference_index
    const base = uint(view, at, baseSize);
    at += baseSize;
    const extents = view.getUint16(at);
    at += 2;
    if (id === wanted) {
      // Only data in the file itself (method 0), in one piece: what cameras and libheif write for Exif.
      if (method !== 0 || extents !== 1) return undefined;
      return [base + uint(view, at + indexSize, offsetSize), uint(view, at + indexSize + offsetSize, lengthSize)];
    }
    at += extents * (indexSize + offsetSize + lengthSize);
  }
  return undefined;
}

/** The TIFF structure (starting `II*\0` or `MM\0*`) of the file's Exif item, or undefined. */
export function heifExifTiff(bytes: Uint8Array): Uint8Array | undefined {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  try {
    const meta = [...boxes(view, 0, bytes.length)].find((b) => b.type === 'meta');
    const iinf = meta && child(view, meta, 'iinf', true);
    const iloc = meta && child(view, meta, 'iloc', true);
    const id = iinf && exifItemId(view, iinf);
    const extent = iloc && id !== undefined ? itemExtent(view, iloc, id) : undefined;
    if (!extent) return undefined;
    const [offset, length] = extent;
    if (length < 4 || offset + length > bytes.length) return undefined;
    // The item starts with exif_tiff_header_offset: bytes to skip after this field to the TIFF header.
    const tiff = offset + 4 + view.getUint32(offset);
    return tiff < offset + length ? bytes.subarray(tiff, offset + length) : undefined;
  } catch (err) {
    if (err instanceof RangeError) return undefined; // a box that says more than the file holds
    throw err;
  }
}
