/**
 * A distributed Map over a 200,000-line JSONL object (about 80 MB) with a ResultWriter: every item
 * is processed and the local AWS's memory stays bounded (the object is streamed twice, results go
 * to disk; nothing per item is kept). RSS is sampled through the run; its growth over the baseline
 * after warm-up must stay well under what holding the items would take (the file's size as JS
 * strings is about twice its bytes).
 *   npm run test:scale
 */
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DescribeMapRunCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { createReadStream, createWriteStream, mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { finished as streamFinished } from 'node:stream/promises';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startLocal, type LocalHarness } from '../helpers/local.js';
import { createMachine, finished } from '../helpers/sfn.js';

/** TAP_SCALE_LINES=1000000 for the full-size run (about 150 MB at TAP_SCALE_PAD=100). */
const LINES = Number(process.env.TAP_SCALE_LINES) || 200_000;
let local: LocalHarness;
beforeAll(async () => {
  local = await startLocal();
}, 60_000);
afterAll(() => local.stop());

it(`${LINES} JSONL lines: all processed, RSS growth bounded`, async () => {
  // Arrange: the object, written to disk and uploaded as a stream.
  const file = join(mkdtempSync(join(tmpdir(), 'tap-scale-map-')), 'items.jsonl');
  const out = createWriteStream(file);
  const pad = 'x'.repeat(Number(process.env.TAP_SCALE_PAD) || 360);
  for (let i = 0; i < LINES; i++) if (!out.write(`{"id":${i},"pad":"${pad}"}\n`)) await new Promise<void>((r) => out.once('drain', () => r()));
  out.end();
  await streamFinished(out);
  const bytes = statSync(file).size;
  const s3 = new S3Client({ ...local.clientConfig, forcePathStyle: true });
  await s3.send(new CreateBucketCommand({ Bucket: 'scale' }));
  await s3.send(new PutObjectCommand({ Bucket: 'scale', Key: 'items.jsonl', Body: createReadStream(file), ContentLength: bytes }));
  const sfn = new SFNClient(local.clientConfig);
  const arn = await createMachine(sfn, 'scale', {
    StartAt: 'Each',
    States: {
      Each: {
        Type: 'Map',
        ItemReader: { Resource: 'arn:aws:states:::s3:getObject', ReaderConfig: { InputType: 'JSONL' }, Parameters: { Bucket: 'scale', Key: 'items.jsonl' } },
        ItemSelector: { 'id.$': '$$.Map.Item.Value.id' },
        ItemBatcher: { MaxItemsPerBatch: 100 },
        MaxConcurrency: 8,
        ItemProcessor: { ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'EXPRESS' }, StartAt: 'Count', States: { Count: { Type: 'Pass', Parameters: { 'n.$': 'States.ArrayLength($.Items)' }, End: true } } },
        ResultWriter: { Resource: 'arn:aws:states:::s3:putObject', Parameters: { Bucket: 'scale', Prefix: 'out' } },
        End: true,
      },
    },
  });
  global.gc?.();
  const baseline = process.memoryUsage().rss;
  let peak = baseline;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 100);

  // Act
  const started = Date.now();
  const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn: arn }));
  const done = await finished(sfn, executionArn!, 540_000);
  clearInterval(sampler);

  // Assert
  expect(done.status, done.cause).toBe('SUCCEEDED');
  const { MapRunArn } = JSON.parse(done.output!);
  const d = await sfn.send(new DescribeMapRunCommand({ mapRunArn: MapRunArn }));
  expect(d.itemCounts).toMatchObject({ total: LINES, succeeded: LINES, resultsWritten: LINES });
  expect(d.executionCounts).toMatchObject({ total: Math.ceil(LINES / 100), succeeded: Math.ceil(LINES / 100) });
  const manifest = JSON.parse(await (await s3.send(new GetObjectCommand({ Bucket: 'scale', Key: JSON.parse(done.output!).ResultWriterDetails.Key }))).Body!.transformToString());
  expect(manifest.ResultFiles.SUCCEEDED).toHaveLength(1);
  const growthMB = (peak - baseline) / 1024 / 1024;
  console.log(`${LINES} lines (${(bytes / 1e6).toFixed(0)} MB) in ${((Date.now() - started) / 1000).toFixed(1)} s; RSS baseline ${(baseline / 1048576).toFixed(0)} MB, peak ${(peak / 1048576).toFixed(0)} MB, growth ${growthMB.toFixed(0)} MB`);
  expect(growthMB).toBeLessThan(bytes / 1024 / 1024);
}, 600_000);
