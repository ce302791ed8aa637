import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { UserError } from '../../../src/ops/errors.js';
import type { ProgressEvent } from '../../../src/ops/reporter.js';
import { resolveTarget } from '../../../src/ops/target.js';

/**
 * A home with no AWS configuration at all, unless files are given. The SDK's credential providers
 * read process.env themselves, so the test environment is stubbed there too.
 */
function home(files: Record<string, string> = {}, extra: Record<string, string> = {}): Record<string, string> {
  const dir = mkdtempSync(join(tmpdir(), 'tap-home-'));
  mkdirSync(join(dir, '.aws'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, '.aws', name), text);
  const env = { HOME: dir, AWS_CONFIG_FILE: join(dir, '.aws', 'config'), AWS_SHARED_CREDENTIALS_FILE: join(dir, '.aws', 'credentials'), ...extra };
  for (const name of Object.keys(process.env)) if (name.startsWith('AWS_')) vi.stubEnv(name, undefined);
  for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
  return env;
}

afterEach(() => {
  vi.unstubAllEnvs();
});

const recorder = () => {
  const events: ProgressEvent[] = [];
  return { events, reporter: { emit: (e: ProgressEvent) => void events.push(e) } };
};
const base = { localDataDir: '/nonexistent', localPort: 0 };

describe('target resolution', () => {
  it('uses a given endpoint, with any credentials, without starting anything', async () => {
    const { reporter } = recorder();
    const target = await resolveTarget({ ...base, endpointUrl: 'http://127.0.0.1:9999/', env: home() }, reporter);
    expect(target).toMatchObject({ kind: 'endpoint', endpoint: 'http://127.0.0.1:9999', region: 'us-east-1' });
  });

  it('takes AWS_ENDPOINT_URL and AWS_REGION from the environment', async () => {
    const { reporter } = recorder();
    const target = await resolveTarget({ ...base, env: home({}, { AWS_ENDPOINT_URL: 'http://localhost:4566', AWS_REGION: 'eu-west-1' }) }, reporter);
    expect(target).toMatchObject({ kind: 'endpoint', region: 'eu-west-1' });
  });

  it('targets AWS when credentials exist, with the region from the profile', async () => {
    const env = home({
      credentials: '[work]\naws_access_key_id = AKIAEXAMPLE\naws_secret_access_key = secret\n',
      config: '[profile work]\nregion = ap-southeast-2\n',
    });
    const { reporter } = recorder();
    const target = await resolveTarget({ ...base, profile: 'work', env }, reporter);
    expect(target).toMatchObject({ kind: 'aws', region: 'ap-southeast-2', profile: 'work' });
    expect(target.description).toBe('AWS (profile work), ap-southeast-2');
  });

  it('refuses a profile that does not exist, rather than silently going local', async () => {
    const { reporter } = recorder();
    const attempt = resolveTarget({ ...base, profile: 'nope', env: home() }, reporter);
    await expect(attempt).rejects.toBeInstanceOf(UserError);
    await expect(attempt).rejects.toThrow(/profile "nope"[\s\S]*--local/);
  });

  it('asks for a region when AWS credentials have none', async () => {
    const env = home({}, { AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE', AWS_SECRET_ACCESS_KEY: 'secret' });
    await expect(resolveTarget({ ...base, env }, recorder().reporter)).rejects.toThrow(/No AWS region set\. Pass --region/);
  });

  it.each([['moon-base-1'], ['US-EAST-1'], ['useast1']])('rejects the region name %s', async (region) => {
    await expect(resolveTarget({ ...base, region, endpointUrl: 'http://x:1', env: home() }, recorder().reporter)).rejects.toThrow(/is not an AWS region name/);
  });

  it('rejects an endpoint that is not an http(s) URL', async () => {
    await expect(resolveTarget({ ...base, endpointUrl: 'localhost:4566', env: home() }, recorder().reporter)).rejects.toThrow(/http:\/\/ or https:\/\//);
    await expect(resolveTarget({ ...base, endpointUrl: 'not a url', env: home() }, recorder().reporter)).rejects.toThrow(/is not a URL/);
  });
});

describe('unknown regions', () => {
  it('warns about a well-formed region AWS does not have, and names the known ones nearby', async () => {
    const { unknownRegion } = await import('../../../src/ops/target.js');
    expect(await unknownRegion('eu-west-1')).toBeUndefined();
    expect(await unknownRegion('eu-west-9')).toMatch(/"eu-west-9" is not a region tap knows \(known eu- regions: .*eu-west-1/);
  });
});
