import type { Command } from 'commander';
import { parseCount } from '../../ops/flags.js';
import { type OperateFlags, operate, operateOptions, print } from './operate.js';

interface ShipmentFlags extends OperateFlags {
  limit: string;
}

export function registerShipment(program: Command): void {
  const command = program
    .command('shipment')
    .description("One shipment's timeline, newest first: status events from every file and proof-of-delivery photos")
    .argument('<id>', 'the shipment id, e.g. S-1')
    .option('--limit <n>', 'most entries to read (the newest)', '10000');
  operateOptions(command, ['tap shipment S-1', 'tap shipment S-1 --json | jq \'.entries[] | select(.kind == "photo")\'']).action(async (id: string, flags: ShipmentFlags) => {
    const limit = parseCount(flags.limit, '--limit', { max: 1_000_000 });
    // A malformed id fails before any AWS call.
    (await import('../../ops/keys.js')).shipmentId(id, 'shipment id');
    await operate(flags, async ({ clients, pipeline, reporter, style }) => {
      const [{ shipment }, { formatShipment }] = await Promise.all([import('../../ops/shipment.js'), import('../format/shipment.js')]);
      const result = await shipment(clients, pipeline, { id, limit }, reporter);
      print(formatShipment(result, { json: flags.json, style }));
      // An unknown id is something a script should notice, like `tap status --file` for a key.
      if (result.kind === 'unknown') process.exitCode = 1;
    });
  });
}
