/**
 * Photo bytes → RGBA pixels, one decoder per accepted type, each able to run from the same bundle on
 * the local runner and on Lambda arm64: JPEG is libjpeg-turbo as built by MozJPEG and WebP is libwebp,
 * both compiled to WebAssembly by Squoosh (@jsquash/jpeg, @jsquash/webp); HEIC is libheif (decode-heic.ts);
 * PNG is pngjs, pure JavaScript. wasm.ts finds the binaries. Callers have already checked the declared
 * size against the pixel cap.
 *
 * Content that cannot be decoded is the file's fault (FileFormatError, final); a codec that cannot be
 * loaded is ours and propagates as it is, so the message is retried rather than the photo failed.
 */
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { decodeHeic } from './decode-heic.js';
import { type Rgba, notDecodable } from './rgba.js';
import { type ImageHeader, MAX_PIXELS } from './sniff.js';
import { type WasmAsset, onceRetrying, wasmModule } from './wasm.js';

export async function decode(bytes: Uint8Array, header: ImageHeader): Promise<Rgba> {
  if (header.type === 'jpeg') return decodeJpeg(bytes);
  if (header.type === 'webp') return decodeWebp(bytes);
  if (header.type === 'heic') return decodeHeic(bytes);
  try {
    return PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  } catch (err) {
    throw notDecodable(header.type, (err as Error).message);
  }
}

// ---- The Squoosh codecs: each is given its compiled module (Node cannot fetch the .wasm itself).

interface Decoded {
  width: number;
  height: number;
  data: Uint8ClampedArray;
}
interface SquooshDecoder {
  init(module: WebAssembly.Module, overrides?: object): Promise<unknown>;
  default(buffer: ArrayBuffer): Promise<Decoded>;
}

/** Loads a codec on first use, once; a failed load is tried again by the next photo. */
function squoosh(asset: WasmAsset, load: () => Promise<SquooshDecoder>, overrides: object = {}): () => Promise<(buffer: ArrayBuffer) => Promise<Decoded>> {
  return onceRetrying(async () => {
    const module = await load();
    await module.init(await wasmModule(asset), overrides);
    return module.default;
  });
}

const exactly = (bytes: Uint8Array) => bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
const rgba = (image: Decoded): Rgba => ({ width: image.width, height: image.height, data: new Uint8Array(image.data.buffer, image.data.byteOffset, image.data.byteLength) });

// libjpeg reports a truncated file as a warning and returns the rows it had (the rest grey): its
// messages are collected here, per decode (decoding is synchronous inside the module).
const libjpegMessages: string[] = [];
const loadJpeg = squoosh('mozjpeg_dec.wasm', () => import('@jsquash/jpeg/decode.js') as Promise<SquooshDecoder>, {
  print: () => undefined,
  printErr: (text: string) => void libjpegMessages.push(text),
});

async function decodeJpeg(bytes: Uint8Array): Promise<Rgba> {
  const decodeWith = await loadJpeg();
  libjpegMessages.length = 0;
  let image: Decoded;
  try {
    image = await decodeWith(exactly(bytes));
  } catch (err) {
    // libjpeg converts no CMYK/YCCK to RGBA; jpeg-js does (its own limits as a second guard).
    try {
      return jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true, maxResolutionInMP: MAX_PIXELS / 1e6, maxMemoryUsageInMB: 1024 });
    } catch {
      throw notDecodable('jpeg', `libjpeg: ${libjpegMessages.at(-1) ?? (err as Error).message}`);
    }
  }
  const truncated = libjpegMessages.find((m) => /premature end/i.test(m));
  if (truncated) throw notDecodable('jpeg', `libjpeg: ${truncated.trim()}`);
  return rgba(image);
}

const loadWebp = squoosh('webp_dec.wasm', () => import('@jsquash/webp/decode.js') as Promise<SquooshDecoder>);

async function decodeWebp(bytes: Uint8Array): Promise<Rgba> {
  const decodeWith = await loadWebp();
  try {
    return rgba(await decodeWith(exactly(bytes)));
  } catch (err) {
    throw notDecodable('webp', `libwebp: ${(err as Error).message}`);
  }
}
