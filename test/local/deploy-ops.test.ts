/** The deploy operation called directly against an in-process local AWS: the paths the CLI rarely takes. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudFormationClient, GetTemplateCommand } from '@aws-sdk/client-cloudformation';
import { GetBucketPolicyCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { ensureAssetBucket } from '../../src/ops/asset-bucket.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClients, type Clients } from '../../src/ops/clients.js';
import { deploy } from '../../src/ops/deploy.js';
import { silentReporter } from '../../src/ops/reporter.js';
import { startLocal, type LocalHarness } from '../helpers/local.js';

let local: LocalHarness;
let clients: Clients;
beforeAll(async () => {
  local = await startLocal({ region: 'eu-west-1' });
  clients = createClients({ kind: 'endpoint', endpoint: local.endpoint, region: 'eu-west-1', credentials: local.clientConfig.credentials, description: 'test' });
});
afterAll(async () => {
  clients.destroy();
  await local.stop();
});

describe('deploy (the operation)', () => {
  it('passes a template over the inline limit as a TemplateURL in the asset bucket (here with the limit at 0)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tap-deploy-op-'));
    const result = await deploy(
      clients,
      { env: 'urltest', outDir: join(dir, 'out'), stateDir: join(dir, 'state'), yes: true, hotswap: false, inlineTemplateLimit: 0, confirm: async () => false },
      silentReporter,
    );
    expect(result.outcome).toBe('created');
    // the asset bucket was made in the target's region and holds the template the stack came from
    const s3 = new S3Client({ ...local.clientConfig, region: 'eu-west-1', forcePathStyle: true });
    const bucket = 'tap-assets-000000000000-eu-west-1';
    const deployed = await new CloudFormationClient({ ...local.clientConfig, region: 'eu-west-1' }).send(new GetTemplateCommand({ StackName: 'TapStack-urltest' }));
    expect(JSON.parse(deployed.TemplateBody!).Resources).toHaveProperty('UploadsBucketC4B27CC7');
    expect(result.assets.uploaded).toBe(6); // the template and five bundles (processor, pod processor, API handler, notifier, big-file functions)
    const keys = ((await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'assets/' }))).Contents ?? []).map((o) => o.Key);
    expect(keys).toEqual(expect.arrayContaining([expect.stringMatching(/^assets\/[0-9a-f]{64}\.json$/), expect.stringMatching(/^assets\/[0-9a-f]{64}\.zip$/)]));
    // over http:// the asset bucket gets no TLS-only policy: it would deny tap's own requests
    await expect(s3.send(new GetBucketPolicyCommand({ Bucket: bucket }))).rejects.toMatchObject({ name: 'NoSuchBucketPolicy' });
  });

  it('the asset bucket is TLS-only where the endpoint is https (AWS)', async () => {
    const s3 = new S3Client({ ...local.clientConfig, region: 'eu-west-1', forcePathStyle: true });
    expect(await ensureAssetBucket(s3, 'tap-assets-tls-eu-west-1', 'eu-west-1', silentReporter, { tlsOnly: true })).toBe(true);
    const { Policy } = await s3.send(new GetBucketPolicyCommand({ Bucket: 'tap-assets-tls-eu-west-1' }));
    expect(JSON.parse(Policy!).Statement).toEqual([expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]);
  });
});

describe('deploy after an earlier one stopped at the question', () => {
  it('creates the stack although an empty REVIEW_IN_PROGRESS stack was left behind', async () => {
    const { CreateChangeSetCommand } = await import('@aws-sdk/client-cloudformation');
    const cfn = new CloudFormationClient({ ...local.clientConfig, region: 'eu-west-1' });
    await cfn.send(new CreateChangeSetCommand({ StackName: 'TapStack-review', ChangeSetName: 'abandoned', ChangeSetType: 'CREATE', TemplateBody: JSON.stringify({ Resources: { H: { Type: 'AWS::CloudFormation::WaitConditionHandle' } } }) }));
    const dir = mkdtempSync(join(tmpdir(), 'tap-deploy-op-'));
    const result = await deploy(
      clients,
      { env: 'review', outDir: join(dir, 'out'), stateDir: join(dir, 'state'), yes: true, hotswap: false, confirm: async () => false },
      silentReporter,
    );
    expect(result.outcome).toBe('created');
    expect(result.outputs.UploadBucketName).toBe('tap-review-uploads-000000000000-eu-west-1');
  });
});
