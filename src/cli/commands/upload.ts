import type { Command } from 'commander';
import { parseCount, parseRatio, parseTimeout } from '../../ops/flags.js';
import { type OperateFlags, operate, operateOptions, print } from './operate.js';

interface UploadFlags extends OperateFlags {
  prefix?: string;
  wait: boolean;
  timeout: string;
  generate?: string;
  badRatio: string;
  viaApi: boolean;
  shipment?: string;
}

export function registerUpload(program: Command): void {
  const command = program
    .command('upload')
    .description('Upload shipment files to the pipeline (under incoming/), optionally wait for each outcome')
    .argument('[paths...]', 'files, directories (their .json/.ndjson/.jsonl/.csv/.log/.txt files) or globs')
    .option('--prefix <path>', 'folder(s) under incoming/ to upload into')
    .option('--wait', 'follow each file until it is processed, dead-lettered or --timeout passes (exit code 1 if any did not succeed)', false)
    .option('--timeout <duration>', 'how long --wait waits: seconds or a duration (90, 2m)', '120')
    .option('--generate <records>', 'also upload a generated test file with this many shipment records')
    .option('--bad-ratio <fraction>', 'share of invalid records in the generated file (0..1, or 10%)', '0')
    .option('--shipment <id>', 'proof-of-delivery photos of this shipment: uploaded under pod/<id>/ for the image processor')
    .option('--via-api', "upload as a partner does: ask the API (POST /files) for a permission, then send the file to S3 with it", false);
  operateOptions(command, [
    'tap upload shipments.json --wait',
    'tap upload ./exports --prefix 2026/01        # every readable file in ./exports',
    "tap upload 'data/**/*.csv' --env staging",
    'tap upload --generate 10000 --bad-ratio 0.05 --wait --json',
    'tap upload shipments.json --via-api --wait',
    'tap upload door.jpg --shipment S-1 --wait',
  ]).action(async (paths: string[], flags: UploadFlags) => {
    // Flags first: a bad value must fail before anything is resolved or uploaded.
    if (flags.shipment !== undefined) {
      const { shipmentId } = await import('../../ops/keys.js');
      shipmentId(flags.shipment);
      const clash = [flags.prefix !== undefined && '--prefix', flags.generate !== undefined && '--generate', flags.viaApi && '--via-api'].find(Boolean);
      if (clash) {
        const { UserError } = await import('../../ops/errors.js');
        throw new UserError(`--shipment uploads photos under pod/<id>/ and cannot be combined with ${clash}; upload data files in a separate command.`);
      }
    }
    const generate = flags.generate === undefined ? undefined : { count: parseCount(flags.generate, '--generate', { max: 50_000_000 }), badRatio: parseRatio(flags.badRatio, '--bad-ratio') };
    const waitMs = flags.wait ? parseTimeout(flags.timeout) : undefined;
    await operate(flags, async ({ clients, pipeline, reporter, signal, style, progressIntervalMs }) => {
      const [{ upload }, { formatUpload }] = await Promise.all([import('../../ops/upload.js'), import('../format/upload.js')]);
      const result = await upload(
        clients,
        pipeline,
        { inputs: paths, cwd: process.cwd(), ...(flags.prefix && { prefix: flags.prefix }), ...(generate && { generate }), ...(waitMs !== undefined && { waitMs }), ...(flags.shipment !== undefined && { shipment: flags.shipment.trim() }), signal, progressIntervalMs, viaApi: flags.viaApi },
        reporter,
      );
      print(formatUpload(result, { json: flags.json, style }));
      if (!result.ok) process.exitCode = 1;
    });
  });
}
