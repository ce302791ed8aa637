/**
 * CDK synthesis (and the esbuild bundling inside it) off the main thread. Synthesis blocks the event
 * loop for seconds on a loaded machine; on the main thread that delays Ctrl-C, spinners and every
 * signal until it ends. In a worker the main thread stays free, and Ctrl-C ends the worker at once.
 *
 * This one file is both sides: imported, it offers `synthesizeOffThread`; started as a worker (with
 * the marker below in its workerData), it synthesizes and posts the result back.
 */
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import type { BuildOptions } from '../infra/app.js';
import { UserError } from './errors.js';

/** What deploy needs of a synthesis; plain data, so it crosses the thread boundary. */
export interface SynthOutput {
  readonly stackName: string;
  readonly template: Record<string, unknown>;
  readonly templateFile: string;
  readonly assetManifestFile: string;
  /** The cloud assembly's folder (its manifest.json names the template's S3 URL). */
  readonly assemblyDir: string;
  readonly bundleBytes: number;
}

/** Thrown when the signal stopped the synthesis; the worker is gone and nothing was written to AWS. */
export class SynthesisAborted extends Error {
  override readonly name = 'SynthesisAborted';
}

const MARKER = 'tap-synth-worker';

type Reply = { ok: true; output: SynthOutput } | { ok: false; name: string; message: string; stack?: string; user: boolean };

/** Synthesizes in a worker thread; the signal terminates it (even in the middle of synchronous work). */
export async function synthesizeOffThread(options: BuildOptions, signal?: AbortSignal): Promise<SynthOutput> {
  if (signal?.aborted) throw new SynthesisAborted('synthesis was not started');
  // Under vitest this file is TypeScript, which a worker cannot load: synthesize in-process there.
  if (import.meta.url.endsWith('.ts')) return synthesizeHere(options);
  const worker = new Worker(new URL(import.meta.url), { workerData: { marker: MARKER, options } });
  return new Promise<SynthOutput>((resolve, reject) => {
    const onAbort = () => {
      void worker.terminate();
      reject(new SynthesisAborted('synthesis was stopped'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    const settle = () => signal?.removeEventListener('abort', onAbort);
    worker.once('message', (reply: Reply) => {
      settle();
      // Its job is done; a handle left open in it (esbuild's service) must not keep tap running.
      void worker.terminate();
      if (reply.ok) return resolve(reply.output);
      reject(rebuild(reply));
    });
    worker.once('error', (error) => {
      settle();
      reject(error);
    });
    worker.once('exit', (code) => {
      settle();
      // After a message or an error this does nothing (a promise settles once).
      reject(new Error(`The synthesis worker stopped (exit code ${code}) without a result.`));
    });
  });
}

function rebuild(reply: Extract<Reply, { ok: false }>): Error {
  const error = reply.user ? new UserError(reply.message) : Object.assign(new Error(reply.message), { name: reply.name });
  if (reply.stack) error.stack = reply.stack;
  return error;
}

async function synthesizeHere(options: BuildOptions): Promise<SynthOutput> {
  const { synthesize } = await import('../infra/app.js');
  const out = await synthesize(options);
  return {
    stackName: out.stackName,
    template: out.template,
    templateFile: out.templateFile,
    assetManifestFile: out.assetManifestFile,
    assemblyDir: out.assembly.directory,
    bundleBytes: out.bundleBytes,
  };
}

if (!isMainThread && parentPort && (workerData as { marker?: string } | null)?.marker === MARKER) {
  const port = parentPort;
  synthesizeHere((workerData as { options: BuildOptions }).options).then(
    (output) => port.postMessage({ ok: true, output } satisfies Reply),
    (error: unknown) => {
      const e = error instanceof Error ? error : new Error(String(error));
      port.postMessage({ ok: false, name: e.name, message: e.message, ...(e.stack ? { stack: e.stack } : {}), user: e instanceof UserError } satisfies Reply);
    },
  );
}
