/**
 * The WebAssembly codecs' binaries, for both ways this code runs. Bundled (the Lambda asset, and the
 * local runner running the same asset), the files sit beside index.mjs: bundle.ts copies WASM_ASSETS
 * there, because an emscripten module cannot find its .wasm inside a bundle by itself. From source
 * (tests, benches) they are read from node_modules. Compiled once per container, on first use, so a
 * container that only sees JPEGs never pays for the HEIC decoder's 1.4 MB.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

/** File name beside the bundle → the package file it is copied from. */
export const WASM_ASSETS = {
  'mozjpeg_dec.wasm': '@jsquash/jpeg/codec/dec/mozjpeg_dec.wasm',
  'webp_dec.wasm': '@jsquash/webp/codec/dec/webp_dec.wasm',
  'libheif.wasm': 'libheif-js/libheif-wasm/libheif.wasm',
} as const;

export type WasmAsset = keyof typeof WASM_ASSETS;

/** The binary's bytes: beside the bundle if it is there, else from the package. */
function wasmBytes(name: WasmAsset): Uint8Array {
  const beside = new URL(`./${name}`, import.meta.url);
  if (beside.protocol === 'file:' && existsSync(beside)) return readFileSync(beside);
  return readFileSync(createRequire(import.meta.url).resolve(WASM_ASSETS[name]));
}

// The project's lib (ES2023 + node types) has WebAssembly.Module but not the global's functions.
interface WasmGlobal {
  compile(bytes: Uint8Array): Promise<WebAssembly.Module>;
  Instance: new (module: WebAssembly.Module, imports: object) => { exports: object };
}
const wasm = (globalThis as unknown as { WebAssembly: WasmGlobal }).WebAssembly;

export const compileWasm = (bytes: Uint8Array): Promise<WebAssembly.Module> => wasm.compile(bytes);

/** The codec's module, compiled (its loader, below, keeps it). */
export function wasmModule(name: WasmAsset): Promise<WebAssembly.Module> {
  return compileWasm(wasmBytes(name));
}

/**
 * `load` run on first use and its result kept for the container's life; a failed load is not kept,
 * so the next photo tries again (the error is retried, not final).
 */
export function onceRetrying<T>(load: () => Promise<T>): () => Promise<T> {
  let loaded: Promise<T> | undefined;
  return () =>
    (loaded ??= load().catch((error: unknown) => {
      loaded = undefined;
      throw error;
    }));
}

/** An emscripten `instantiateWasm` hook that instantiates an already compiled module. */
export function instantiateWith(module: WebAssembly.Module): (imports: object, done: (instance: object) => void) => object {
  return (imports, done) => {
    const instance = new wasm.Instance(module, imports);
    done(instance);
    return instance.exports;
  };
}
