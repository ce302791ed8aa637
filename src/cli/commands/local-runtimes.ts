import { Command, Option } from 'commander';
import { createReporter } from '../reporters.js';

interface Flags {
  dataDir?: string;
  json: boolean;
}

/** `tap local runtimes [install|prune]`: the Node.js builds local Lambda functions run on. */
export function registerRuntimes(local: Command, dataDirOf: (flags: { dataDir?: string }) => string, dataDirOption: () => Option): void {
  const json = () => new Option('--json', 'print the result as JSON').default(false);
  const options = (flags: Flags) => ({ dataDir: dataDirOf(flags), env: process.env });
  const print = (flags: Flags, value: unknown, text: string) => process.stdout.write(`${flags.json ? JSON.stringify(value, null, 2) : text}\n`);

  // The options live on the subcommands only: on the parent too, commander would take them there.
  const runtimes = local
    .command('runtimes')
    .description('the Node.js versions local Lambda functions run on (one per runtime, nodejs24.x → Node 24): list (the default), install, prune')
    .addHelpText('after', '\nThey install with your npm (its registry, proxy and cache) on first use, into <data dir>/runtimes' +
      '\n(or TAP_RUNTIMES_DIR), shared by every env. Offline, functions run on this machine\'s Node, with a warning.');

  runtimes
    .command('list', { isDefault: true })
    .description('what is installed, its size, and whether a local function uses it')
    .addOption(dataDirOption())
    .addOption(json())
    .action(async (flags: Flags) => {
      const { listRuntimes } = await import('../../ops/runtimes.js');
      const { formatRuntimes } = await import('../format/runtimes.js');
      const list = await listRuntimes(options(flags));
      print(flags, list, formatRuntimes(list));
    });

  runtimes
    .command('install [runtime...]')
    .description('install runtimes now (default: those the local functions use, and the newest, which tap\'s stack uses)')
    .addOption(dataDirOption())
    .addOption(json())
    .action(async (names: string[], flags: Flags) => {
      const { installRuntimes } = await import('../../ops/runtimes.js');
      const reporter = await createReporter({ json: flags.json });
      const installed = await installRuntimes({ ...options(flags), runtimes: names }, reporter);
      print(flags, { installed }, installed.map((r) => `${r.runtime}: Node ${r.nodeVersion} (${r.package})`).join('\n'));
    });

  runtimes
    .command('prune')
    .description('remove installed runtimes no function in the local AWS uses')
    .addOption(dataDirOption())
    .addOption(json())
    .action(async (flags: Flags) => {
      const { pruneRuntimes } = await import('../../ops/runtimes.js');
      const { formatPruned } = await import('../format/runtimes.js');
      const result = await pruneRuntimes(options(flags));
      print(flags, result, formatPruned(result));
    });
}
