/**
 * Photos per second and peak memory of the pod processor (src/handlers/pod/process-photo.ts, on
 * in-memory ports: the S3/DynamoDB round trips are not what sizes the function) for a generated
 * 12-megapixel JPEG of about 4 MB, next to the same work with jpeg-js (the decoder before libjpeg as
 * WebAssembly), to not making a thumbnail (header and EXIF only) and to a refused 50,000 × 50,000 PNG;
 * and the other WebAssembly decoders: a 4000 × 3000 WebP (libwebp) and the committed 512 × 384 HEIC
 * (libheif; no HEVC encoder runs here to make a larger one). Each measurement runs in a fresh child
 * process, so each peak RSS belongs to one mode alone and each includes compiling its decoder. These
 * figures size the function (src/infra/pod.ts).
 *   npx tsx bench/pod.ts [--runs 5]
 *
 * Measured 2026-12-02 03:02 UTC, load average 17.6 (2 shared cores, other benches and e2e suites
 * running: wall times are inflated, CPU times much less so), 3 runs, 3.8 MB 4000 × 3000 JPEG:
 *   full (libjpeg as wasm, EXIF, thumbnail)  wall  4262 ms, CPU 1442 ms (0.69 photos/s per core), peak RSS 224 MB
 *   jpeg-js (the alternative, before)        wall 14767 ms, CPU 4767 ms (0.21 photos/s per core), peak RSS 496 MB
 *   header + EXIF only                       wall    22 ms, peak RSS  90 MB
 *   refused 50,000 × 50,000 PNG              wall    12 ms, peak RSS  88 MB (the Node baseline)
 * 02:51 UTC, load 18, same machine: 4000 × 3000 WebP (libwebp) CPU 1223 ms, peak RSS 205 MB;
 * 512 × 384 HEIC (libheif, mostly its 1.4 MB module's compilation) CPU 1014 ms, peak RSS 132 MB.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { readExif } from '../src/handlers/pod/exif.js';
import { type PodPorts, processPhoto } from '../src/handlers/pod/process-photo.js';
import { MAX_PIXELS, readHeader } from '../src/handlers/pod/sniff.js';
import { THUMBNAIL_SIZE, downscale, orient } from '../src/handlers/pod/thumbnail.js';
import jpeg from 'jpeg-js';
import { doorHeic, makeJpeg, makeWebp, pngDeclaring } from '../test/helpers/images.js';
import { median } from './stats.js';

type Mode = 'full' | 'jpeg-js' | 'header-exif-only' | 'bomb' | 'webp-12mp' | 'heic-small';

interface Sample {
  ms: number;
  /** CPU time (user + system): on a shared machine, what the photo costs regardless of the load. */
  cpuMs: number;
  maxRssMB: number;
  status: string;
}

function ports(bytes: Uint8Array): PodPorts {
  return {
    objects: {
      read: async () => (async function* () { yield bytes; })(),
      create: () => { throw new Error('not used'); },
      copy: async () => undefined,
    },
    metadata: { get: async () => undefined, put: async () => undefined, putProcessing: async () => true },
    events: { writeBatch: async () => [] },
    putBytes: async () => undefined,
  };
}

async function measure(mode: Mode, path: string): Promise<Sample> {
  const bytes = readFileSync(path);
  const started = performance.now();
  const cpu = process.cpuUsage();
  let status = 'SUCCESS';
  if (mode === 'header-exif-only') {
    await readExif(bytes, readHeader(bytes).type);
  } else if (mode === 'jpeg-js') {
    // The alternative: the same work with the pure-JavaScript decoder the processor used before.
    const exif = await readExif(bytes, readHeader(bytes).type);
    const image = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true, maxResolutionInMP: MAX_PIXELS / 1e6, maxMemoryUsageInMB: 1024 });
    const small = orient(downscale(image, THUMBNAIL_SIZE), exif.orientation ?? 1);
    jpeg.encode({ ...small, data: Buffer.from(small.data.buffer) }, 80);
  } else {
    const file = { bucket: 'b', key: 'pod/S-1/photo', versionId: 'v1', eventTime: '2026-01-05T10:00:00.000Z', size: bytes.length };
    status = (await processPhoto(file, ports(bytes), { environment: 'bench' })).item.processing_status;
  }
  const used = process.cpuUsage(cpu);
  return { ms: performance.now() - started, cpuMs: (used.user + used.system) / 1000, maxRssMB: process.resourceUsage().maxRSS / 1024, status };
}

function child(mode: Mode, path: string): Sample {
  const result = spawnSync(process.execPath, ['--import', 'tsx', import.meta.filename, '--worker', mode, path], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`worker ${mode} failed: ${result.stderr}`);
  return JSON.parse(result.stdout) as Sample;
}

async function main(): Promise<void> {
  const arg = (name: string) => process.argv[process.argv.indexOf(name) + 1];
  if (process.argv.includes('--worker')) {
    process.stdout.write(JSON.stringify(await measure(arg('--worker') as Mode, process.argv.at(-1)!)));
    return;
  }
  const runs = process.argv.includes('--runs') ? Number(arg('--runs')) : 5;
  const dir = mkdtempSync(join(tmpdir(), 'tap-bench-pod-'));
  try {
    // 4000 × 3000, noise of amplitude 18 at quality 85: about 4 MB, what a phone writes for 12 MP.
    const photo = makeJpeg(4000, 3000, { noise: 18, quality: 85, exif: { dateTimeOriginal: '2026:01:05 12:00:30', offset: '+02:00', latitude: 52.52, longitude: 13.405, orientation: 6 } });
    const photoPath = join(dir, 'photo.jpg');
    writeFileSync(photoPath, photo);
    const bombPath = join(dir, 'bomb.png');
    writeFileSync(bombPath, pngDeclaring(50_000, 50_000));
    // WebP and HEIC go through WebAssembly decoders, compiled on first use: each fresh process pays that.
    const webpPath = join(dir, 'photo.webp');
    writeFileSync(webpPath, await makeWebp(4000, 3000));
    const heicPath = join(dir, 'door.heic');
    writeFileSync(heicPath, doorHeic());
    console.log(`photo: 4000 × 3000 JPEG, ${(photo.length / 1048576).toFixed(1)} MB; load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}; ${runs} runs each, fresh process per run`);
    const modes = [['full', photoPath], ['jpeg-js', photoPath], ['header-exif-only', photoPath], ['bomb', bombPath], ['webp-12mp', webpPath], ['heic-small', heicPath]] as const;
    for (const [mode, path] of modes) {
      const samples = Array.from({ length: runs }, () => child(mode, path));
      const ms = median(samples.map((s) => s.ms));
      const cpuMs = median(samples.map((s) => s.cpuMs));
      const rss = median(samples.map((s) => s.maxRssMB));
      console.log(
        `${mode.padEnd(17)} wall median ${ms.toFixed(0).padStart(6)} ms (${(1000 / ms).toFixed(2).padStart(6)} photos/s)  CPU median ${cpuMs.toFixed(0).padStart(6)} ms (${(1000 / cpuMs).toFixed(2).padStart(6)} photos/s per core)  peak RSS median ${rss.toFixed(0).padStart(4)} MB (max ${Math.max(...samples.map((s) => s.maxRssMB)).toFixed(0)})  ${samples[0]!.status}`,
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
