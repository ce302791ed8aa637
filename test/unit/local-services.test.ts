/** One list of the local AWS's services: the README says it, `tap local --help` prints it, the emulator runs it. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ALL_SERVICES } from '../../src/local/services/index.js';
import type { LocalContext } from '../../src/local/service.js';
import { LOCAL_SERVICES } from '../../src/shared/local-services.js';
import { runTap } from '../helpers/cli.js';

const names = LOCAL_SERVICES.map((s) => s.name);

describe('the local services list', () => {
  it("is the README's list, in its order", () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8').replace(/\s+/g, ' ');
    const listed = /embedded local AWS \(([^)]*?) on one endpoint/.exec(readme)?.[1];
    expect(listed, 'the README sentence "… embedded local AWS (S3, SQS, … on one endpoint" is gone').toBeDefined();
    expect(listed!.split(', ')).toEqual(names);
  });

  it('names exactly the services the emulator runs', () => {
    // A factory only builds its service object; nothing starts until start() is called.
    const context = { accountId: '000000000000', dataDir: '/nonexistent', endpoint: () => '', faults: {}, maxObjectBytes: 0, service: () => ({}) } as unknown as LocalContext;
    const running = ALL_SERVICES.map((factory) => factory(context).name).sort();
    expect(LOCAL_SERVICES.flatMap((s) => s.signingNames).sort()).toEqual(running);
  });

  it('is what tap local --help prints', async () => {
    const help = await runTap(['local', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout.replace(/\s+/g, ' ')).toContain(`The embedded local AWS: ${names.join(', ')} on one endpoint`);
  });
});
