import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteBucketEncryptionCommand,
  DeleteBucketLifecycleCommand,
  DeleteBucketOwnershipControlsCommand,
  DeleteBucketPolicyCommand,
  DeleteBucketTaggingCommand,
  DeletePublicAccessBlockCommand,
  GetBucketAclCommand,
  GetBucketCorsCommand,
  GetBucketEncryptionCommand,
  GetBucketLifecycleConfigurationCommand,
  GetBucketLocationCommand,
  GetBucketOwnershipControlsCommand,
  GetBucketPolicyCommand,
  GetBucketTaggingCommand,
  GetBucketVersioningCommand,
  GetBucketWebsiteCommand,
  GetPublicAccessBlockCommand,
  HeadBucketCommand,
  ListBucketsCommand,
  PutBucketCorsCommand,
  PutBucketEncryptionCommand,
  PutBucketLifecycleConfigurationCommand,
  PutBucketOwnershipControlsCommand,
  PutBucketPolicyCommand,
  PutBucketTaggingCommand,
  PutBucketVersioningCommand,
  PutObjectAclCommand,
  PutObjectCommand,
  PutPublicAccessBlockCommand,
} from '@aws-sdk/client-s3';
import { get } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { injectFault, startLocal, type LocalHarness } from '../helpers/local.js';
import { bucketName, newBucket, raw, s3Client } from './s3-fixtures.js';

let local: LocalHarness;
beforeAll(async () => {
  local = await startLocal();
});
afterAll(() => local.stop());

describe('S3 buckets', () => {
  it('creates, heads, lists, locates and deletes a bucket', async () => {
    const s3 = s3Client(local);
    const name = bucketName('life');
    const created = await s3.send(new CreateBucketCommand({ Bucket: name }));
    expect(created.Location).toBe(`/${name}`);

    const head = await s3.send(new HeadBucketCommand({ Bucket: name }));
    expect(head.BucketRegion).toBe('us-east-1');
    const { Buckets, Owner } = await s3.send(new ListBucketsCommand({}));
    expect(Buckets?.find((b) => b.Name === name)).toMatchObject({ BucketRegion: 'us-east-1', CreationDate: expect.any(Date) });
    expect(Owner?.ID).toMatch(/^[0-9a-f]{64}$/);
    // us-east-1 is the empty location constraint.
    expect((await s3.send(new GetBucketLocationCommand({ Bucket: name }))).LocationConstraint).toBeUndefined();

    await s3.send(new DeleteBucketCommand({ Bucket: name }));
    await expect(s3.send(new HeadBucketCommand({ Bucket: name }))).rejects.toMatchObject({ $metadata: { httpStatusCode: 404 } });
    await expect(s3.send(new DeleteBucketCommand({ Bucket: name }))).rejects.toMatchObject({ name: 'NoSuchBucket' });
  });

  it('answers 200 to re-creating your own bucket in us-east-1, BucketAlreadyOwnedByYou elsewhere', async () => {
    const s3 = s3Client(local);
    const name = await newBucket(s3);
    await expect(s3.send(new CreateBucketCommand({ Bucket: name }))).resolves.toBeDefined();

    const eu = s3Client(local, { region: 'eu-west-1' });
    const euName = bucketName('eu');
    await eu.send(new CreateBucketCommand({ Bucket: euName, CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' } }));
    await expect(
      eu.send(new CreateBucketCommand({ Bucket: euName, CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' } })),
    ).rejects.toMatchObject({ name: 'BucketAlreadyOwnedByYou', $metadata: { httpStatusCode: 409 } });
    // A us-east-1 request for a bucket that lives elsewhere is not the legacy case either.
    await expect(s3.send(new CreateBucketCommand({ Bucket: euName }))).rejects.toMatchObject({ name: 'BucketAlreadyOwnedByYou' });
    expect((await eu.send(new GetBucketLocationCommand({ Bucket: euName }))).LocationConstraint).toBe('eu-west-1');
  });

  it('checks location constraints against the endpoint region, as S3 does', async () => {
    // The SDK adds its region as the constraint when none is given; other clients may not.
    const unspecified = await raw(local, 'PUT', `/${bucketName()}`, {
      headers: { authorization: 'AWS4-HMAC-SHA256 Credential=test/20260101/eu-west-1/s3/aws4_request, SignedHeaders=host, Signature=x' },
    });
    expect(unspecified.status).toBe(400);
    expect(unspecified.text).toContain('<Code>IllegalLocationConstraintException</Code>');
    const eu = s3Client(local, { region: 'eu-west-1' });
    await expect(
      eu.send(new CreateBucketCommand({ Bucket: bucketName(), CreateBucketConfiguration: { LocationConstraint: 'eu-central-1' } })),
    ).rejects.toMatchObject({ name: 'IllegalLocationConstraintException' });
    const s3 = s3Client(local);
    await expect(
      s3.send(new CreateBucketCommand({ Bucket: bucketName(), CreateBucketConfiguration: { LocationConstraint: 'us-east-1' as never } })),
    ).rejects.toMatchObject({ name: 'InvalidLocationConstraint' });
    // The us-east-1 endpoint creates buckets in any region.
    const name = bucketName('far');
    await s3.send(new CreateBucketCommand({ Bucket: name, CreateBucketConfiguration: { LocationConstraint: 'ap-southeast-2' } }));
    expect((await s3.send(new HeadBucketCommand({ Bucket: name }))).BucketRegion).toBe('ap-southeast-2');
  });

  it('rejects invalid bucket names', async () => {
    const s3 = s3Client(local);
    for (const bad of ['ab', 'Upper-case', 'under_score', '192.168.1.1', 'double..dot', '-leading']) {
      await expect(s3.send(new CreateBucketCommand({ Bucket: bad }))).rejects.toMatchObject({ name: 'InvalidBucketName' });
    }
  });

  it('stores versioning, policy, encryption, public access block, lifecycle, tagging, ownership and CORS', async () => {
    const s3 = s3Client(local);
    const Bucket = await newBucket(s3, 'cfg');
    // New buckets come as S3 makes them today: SSE-S3, public access blocked, ACLs disabled.
    expect((await s3.send(new GetBucketVersioningCommand({ Bucket }))).Status).toBeUndefined();
    const encryption = await s3.send(new GetBucketEncryptionCommand({ Bucket }));
    expect(encryption.ServerSideEncryptionConfiguration?.Rules?.[0]?.ApplyServerSideEncryptionByDefault?.SSEAlgorithm).toBe('AES256');
    expect((await s3.send(new GetPublicAccessBlockCommand({ Bucket }))).PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true,
    });
    expect((await s3.send(new GetBucketOwnershipControlsCommand({ Bucket }))).OwnershipControls?.Rules?.[0]?.ObjectOwnership).toBe(
      'BucketOwnerEnforced',
    );
    await expect(s3.send(new GetBucketPolicyCommand({ Bucket }))).rejects.toMatchObject({ name: 'NoSuchBucketPolicy', $metadata: { httpStatusCode: 404 } });
    await expect(s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket }))).rejects.toMatchObject({ name: 'NoSuchLifecycleConfiguration' });
    await expect(s3.send(new GetBucketTaggingCommand({ Bucket }))).rejects.toMatchObject({ name: 'NoSuchTagSet' });
    await expect(s3.send(new GetBucketCorsCommand({ Bucket }))).rejects.toMatchObject({ name: 'NoSuchCORSConfiguration' });
    await expect(s3.send(new GetBucketWebsiteCommand({ Bucket }))).rejects.toMatchObject({ name: 'NoSuchWebsiteConfiguration' });

    await s3.send(new PutBucketVersioningCommand({ Bucket, VersioningConfiguration: { Status: 'Enabled' } }));
    const policy = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: `arn:aws:s3:::${Bucket}/*`, Condition: { Bool: { 'aws:SecureTransport': 'false' } } }] });
    await s3.send(new PutBucketPolicyCommand({ Bucket, Policy: policy }));
    await s3.send(new PutBucketEncryptionCommand({
      Bucket,
      ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: 'alias/k' }, BucketKeyEnabled: true }] },
    }));
    await s3.send(new PutPublicAccessBlockCommand({ Bucket, PublicAccessBlockConfiguration: { BlockPublicAcls: false, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: false } }));
    await s3.send(new PutBucketLifecycleConfigurationCommand({
      Bucket,
      LifecycleConfiguration: {
        Rules: [
          { ID: 'noncurrent', Status: 'Enabled', Filter: { Prefix: '' }, NoncurrentVersionExpiration: { NoncurrentDays: 30 } },
          { ID: 'quarantine', Status: 'Enabled', Filter: { Prefix: 'quarantine/' }, Expiration: { Days: 30 } },
        ],
      },
    }));
    await s3.send(new PutBucketTaggingCommand({ Bucket, Tagging: { TagSet: [{ Key: 'app', Value: 'tap' }, { Key: 'env', Value: 'dev' }] } }));
    await s3.send(new PutBucketOwnershipControlsCommand({ Bucket, OwnershipControls: { Rules: [{ ObjectOwnership: 'ObjectWriter' }] } }));
    await s3.send(new PutBucketCorsCommand({ Bucket, CORSConfiguration: { CORSRules: [{ AllowedMethods: ['GET', 'PUT'], AllowedOrigins: ['*'], MaxAgeSeconds: 60 }] } }));

    expect((await s3.send(new GetBucketVersioningCommand({ Bucket }))).Status).toBe('Enabled');
    expect(JSON.parse((await s3.send(new GetBucketPolicyCommand({ Bucket }))).Policy!)).toEqual(JSON.parse(policy));
    expect((await s3.send(new GetBucketEncryptionCommand({ Bucket }))).ServerSideEncryptionConfiguration?.Rules).toEqual([
      { ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: 'alias/k' }, BucketKeyEnabled: true },
    ]);
    expect((await s3.send(new GetPublicAccessBlockCommand({ Bucket }))).PublicAccessBlockConfiguration?.BlockPublicAcls).toBe(false);
    const lifecycle = await s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket }));
    expect(lifecycle.Rules).toEqual([
      { ID: 'noncurrent', Status: 'Enabled', Filter: { Prefix: '' }, NoncurrentVersionExpiration: { NoncurrentDays: 30 } },
      { ID: 'quarantine', Status: 'Enabled', Filter: { Prefix: 'quarantine/' }, Expiration: { Days: 30 } },
    ]);
    expect((await s3.send(new GetBucketTaggingCommand({ Bucket }))).TagSet).toEqual([{ Key: 'app', Value: 'tap' }, { Key: 'env', Value: 'dev' }]);
    expect((await s3.send(new GetBucketOwnershipControlsCommand({ Bucket }))).OwnershipControls?.Rules).toEqual([{ ObjectOwnership: 'ObjectWriter' }]);
    expect((await s3.send(new GetBucketCorsCommand({ Bucket }))).CORSRules).toEqual([{ AllowedMethods: ['GET', 'PUT'], AllowedOrigins: ['*'], MaxAgeSeconds: 60 }]);

    await s3.send(new DeleteBucketPolicyCommand({ Bucket }));
    await s3.send(new DeleteBucketEncryptionCommand({ Bucket }));
    await s3.send(new DeletePublicAccessBlockCommand({ Bucket }));
    await s3.send(new DeleteBucketLifecycleCommand({ Bucket }));
    await s3.send(new DeleteBucketTaggingCommand({ Bucket }));
    await s3.send(new DeleteBucketOwnershipControlsCommand({ Bucket }));
    await expect(s3.send(new GetBucketPolicyCommand({ Bucket }))).rejects.toMatchObject({ name: 'NoSuchBucketPolicy' });
    // Deleting the encryption configuration brings back the SSE-S3 default, as S3 does since 2023.
    expect((await s3.send(new GetBucketEncryptionCommand({ Bucket }))).ServerSideEncryptionConfiguration?.Rules?.[0]?.ApplyServerSideEncryptionByDefault?.SSEAlgorithm).toBe('AES256');
    await expect(s3.send(new GetPublicAccessBlockCommand({ Bucket }))).rejects.toMatchObject({ name: 'NoSuchPublicAccessBlockConfiguration' });
    await expect(s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket }))).rejects.toMatchObject({ name: 'NoSuchLifecycleConfiguration' });
    await expect(s3.send(new GetBucketTaggingCommand({ Bucket }))).rejects.toMatchObject({ name: 'NoSuchTagSet' });
    await expect(s3.send(new GetBucketOwnershipControlsCommand({ Bucket }))).rejects.toMatchObject({ name: 'OwnershipControlsNotFoundError' });
  });

  it('rejects malformed configurations', async () => {
    const s3 = s3Client(local);
    const Bucket = await newBucket(s3);
    await expect(s3.send(new PutBucketPolicyCommand({ Bucket, Policy: 'not json' }))).rejects.toMatchObject({ name: 'MalformedPolicy' });
    await expect(
      s3.send(new PutBucketTaggingCommand({ Bucket, Tagging: { TagSet: [{ Key: 'a', Value: '1' }, { Key: 'a', Value: '2' }] } })),
    ).rejects.toMatchObject({ name: 'InvalidTag' });
    await expect(
      s3.send(new PutBucketVersioningCommand({ Bucket, VersioningConfiguration: { Status: 'On' as never } })),
    ).rejects.toMatchObject({ name: 'MalformedXML' });
    const res = await raw(local, 'PUT', `/${Bucket}?lifecycle`, { body: '<LifecycleConfiguration><Rule><ID>x</ID><Status>Maybe</Status></Rule></LifecycleConfiguration>' });
    expect(res.status).toBe(400);
    expect(res.text).toContain('<Code>MalformedXML</Code>');
  });

  it('refuses ACLs on buckets with ACLs disabled, accepts them otherwise', async () => {
    const s3 = s3Client(local);
    const Bucket = await newBucket(s3);
    await s3.send(new PutObjectCommand({ Bucket, Key: 'k', Body: 'x' }));
    await expect(s3.send(new PutObjectAclCommand({ Bucket, Key: 'k', ACL: 'public-read' }))).rejects.toMatchObject({ name: 'AccessControlListNotSupported' });
    await expect(s3.send(new PutObjectCommand({ Bucket, Key: 'k2', Body: 'x', ACL: 'public-read' }))).rejects.toMatchObject({ name: 'AccessControlListNotSupported' });
    await s3.send(new PutObjectCommand({ Bucket, Key: 'k3', Body: 'x', ACL: 'bucket-owner-full-control' }));
    const acl = await s3.send(new GetBucketAclCommand({ Bucket }));
    expect(acl.Grants).toEqual([{ Grantee: { ID: acl.Owner!.ID, Type: 'CanonicalUser' }, Permission: 'FULL_CONTROL' }]);

    const writer = bucketName('acl');
    await s3.send(new CreateBucketCommand({ Bucket: writer, ObjectOwnership: 'ObjectWriter' }));
    await s3.send(new PutObjectCommand({ Bucket: writer, Key: 'k', Body: 'x', ACL: 'public-read' }));
  });

  it('answers unsupported operations with NotImplemented, unknown ones with MethodNotAllowed', async () => {
    const Bucket = await newBucket(s3Client(local));
    const select = await raw(local, 'POST', `/${Bucket}/k?select&select-type=2`, { body: '<x/>' });
    expect(select.status).toBe(501);
    expect(select.text).toContain('<Code>NotImplemented</Code>');
    const patch = await raw(local, 'PATCH', `/${Bucket}`);
    expect(patch.status).toBe(405);
    expect(patch.text).toContain('<Code>MethodNotAllowed</Code>');
  });

  it('serves virtual-hosted style on <bucket>.localhost', async () => {
    const s3 = s3Client(local);
    const Bucket = await newBucket(s3);
    await s3.send(new PutObjectCommand({ Bucket, Key: 'dir/file.txt', Body: 'vhost' }));
    const port = new URL(local.endpoint).port;
    // fetch cannot set Host; node:http can.
    const { status, text } = await new Promise<{ status: number; text: string }>((resolve, reject) => {
      get({ host: '127.0.0.1', port, path: '/dir/file.txt', headers: { host: `${Bucket}.localhost:${port}` } }, (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      }).on('error', reject);
    });
    expect(status).toBe(200);
    expect(text).toBe('vhost');
  });

  it('injects a fault by S3 operation name', async () => {
    const s3 = s3Client(local);
    const Bucket = await newBucket(s3);
    await injectFault(local.endpoint, { service: 's3', operation: 'HeadBucket', code: 'SlowDown', status: 503, remaining: 1 });
    await expect(s3.send(new HeadBucketCommand({ Bucket }))).rejects.toMatchObject({ $metadata: { httpStatusCode: 503 } });
    await expect(s3.send(new HeadBucketCommand({ Bucket }))).resolves.toBeDefined();
  });
});
