/**
 * HEIC → RGBA with libheif (and libde265) compiled to WebAssembly by libheif-js, through libheif's C
 * API as its embind bindings expose it. Its HeifDecoder class would print the reason for a failure and
 * return nothing, and keep the last file's context alive; this keeps the reason and frees everything
 * per photo. libheif applies the file's rotation and mirroring (irot, imir) itself, which is why
 * thumbnail.ts does not apply EXIF orientation to HEIC as well.
 */
import { type Rgba, notDecodable } from './rgba.js';
import { instantiateWith, onceRetrying, wasmModule } from './wasm.js';

// Contexts, handles, images and enum values are embind objects: opaque here, enums compared by identity.
type Opaque = object;
interface HeifError {
  code: Opaque;
  message?: string;
}
interface HeifPlane {
  id: Opaque;
  width: number;
  height: number;
  stride: number;
  data: Uint8Array;
}
interface LibHeif {
  heif_context_alloc(): Opaque | null;
  heif_context_free(ctx: Opaque): void;
  heif_context_read_from_memory(ctx: Opaque, bytes: Uint8Array): HeifError;
  /** The ids, or an error. */
  heif_js_context_get_list_of_top_level_image_IDs(ctx: Opaque): number[] | HeifError;
  heif_js_context_get_image_handle(ctx: Opaque, id: number): Opaque | HeifError | null;
  heif_image_handle_is_primary_image(handle: Opaque): number | boolean;
  heif_image_handle_release(handle: Opaque): void;
  /** The decoded image, or an error. */
  heif_js_decode_image2(handle: Opaque, colorspace: Opaque, chroma: Opaque): { image: Opaque; channels: HeifPlane[] } | HeifError | null;
  heif_image_release(image: Opaque): void;
  heif_error_Ok: Opaque;
  heif_colorspace_RGB: Opaque;
  heif_chroma_interleaved_RGBA: Opaque;
  heif_channel_interleaved: Opaque;
}

const isError = (value: unknown): value is HeifError => typeof value === 'object' && value !== null && 'code' in value;

const loadHeif = onceRetrying(async (): Promise<LibHeif> => {
  const module = await wasmModule('libheif.wasm');
  // A literal import, so that esbuild bundles the (CommonJS) glue code; the .wasm comes from wasm.ts.
  const glue = (await import('libheif-js/libheif-wasm/libheif.js')) as unknown as { default: (options: object) => LibHeif };
  const factory = glue.default;
  return factory({
    instantiateWasm: instantiateWith(module),
    // libheif-js reports failures with console.log; the reasons reach us as return values anyway.
    print: () => undefined,
    printErr: () => undefined,
  });
});

export async function decodeHeic(bytes: Uint8Array): Promise<Rgba> {
  const lib = await loadHeif();
  const ctx = lib.heif_context_alloc();
  if (!ctx) throw new Error('libheif could not allocate a context');
  let handle: Opaque | undefined;
  try {
    const read = lib.heif_context_read_from_memory(ctx, bytes);
    if (read.code !== lib.heif_error_Ok) throw notDecodable('heic', `libheif: ${read.message || 'unreadable'}`);
    const ids = lib.heif_js_context_get_list_of_top_level_image_IDs(ctx);
    if (isError(ids) || ids.length === 0) throw notDecodable('heic', `libheif: ${(isError(ids) && ids.message) || 'no image in the file'}`);
    // The primary image (the photo); other top-level images are alternatives or thumbnails.
    for (const id of ids) {
      const h = lib.heif_js_context_get_image_handle(ctx, id);
      if (!h || isError(h)) continue;
      if (!handle || lib.heif_image_handle_is_primary_image(h)) {
        if (handle) lib.heif_image_handle_release(handle);
        handle = h;
      } else lib.heif_image_handle_release(h);
    }
    if (!handle) throw notDecodable('heic', 'libheif: no readable image in the file');
    const decoded = lib.heif_js_decode_image2(handle, lib.heif_colorspace_RGB, lib.heif_chroma_interleaved_RGBA);
    if (!decoded || isError(decoded)) throw notDecodable('heic', `libheif: ${decoded?.message || 'decoding failed'}`);
    try {
      const plane = decoded.channels.find((c) => c.id === lib.heif_channel_interleaved);
      if (!plane) throw notDecodable('heic', 'libheif returned no RGBA plane');
      const data = new Uint8Array(plane.width * plane.height * 4);
      for (let y = 0; y < plane.height; y++) data.set(plane.data.subarray(y * plane.stride, y * plane.stride + plane.width * 4), y * plane.width * 4);
      return { width: plane.width, height: plane.height, data };
    } finally {
      lib.heif_image_release(decoded.image);
    }
  } finally {
    if (handle) lib.heif_image_handle_release(handle);
    lib.heif_context_free(ctx);
  }
}
