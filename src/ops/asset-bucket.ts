import type { S3Client } from '@aws-sdk/client-s3';
import { exists } from './assets.js';
import { step, type Reporter } from './reporter.js';

/**
 * The tap-owned asset bucket `tap-assets-<account>-<region>` (instead of CDK's bootstrap stack):
 * created on first deploy, encrypted, private, TLS-only, and old assets expire.
 *
 * `tlsOnly: false` leaves out the policy that denies plain-http requests (aws:SecureTransport): on an
 * `http://` endpoint that enforces bucket policies it would deny tap's own requests, and lock tap out
 * of the bucket it just made. On AWS (always https) the policy is always there.
 */
export async function ensureAssetBucket(s3: S3Client, bucket: string, region: string, reporter: Reporter, options: { tlsOnly: boolean } = { tlsOnly: true }): Promise<boolean> {
  const sdk = await import('@aws-sdk/client-s3');
  if (await exists(() => s3.send(new sdk.HeadBucketCommand({ Bucket: bucket })))) return false;
  await step(reporter, 'TAP_DEPLOY_ASSET_BUCKET', `Creating the asset bucket ${bucket}`, async () => {
    try {
      await s3.send(
        new sdk.CreateBucketCommand({
          Bucket: bucket,
          // us-east-1 is the one region that refuses a LocationConstraint naming itself.
          ...(region === 'us-east-1' ? {} : { CreateBucketConfiguration: { LocationConstraint: region as never } }),
        }),
      );
    } catch (error) {
      // Another deploy may have created it a moment ago.
      if ((error as Error).name !== 'BucketAlreadyOwnedByYou') throw error;
    }
    await s3.send(
      new sdk.PutPublicAccessBlockCommand({
        Bucket: bucket,
        PublicAccessBlockConfiguration: { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true },
      }),
    );
    await s3.send(
      new sdk.PutBucketEncryptionCommand({
        Bucket: bucket,
        ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      }),
    );
    if (options.tlsOnly) await s3.send(
      new sdk.PutBucketPolicyCommand({
        Bucket: bucket,
        Policy: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            {
              Sid: 'DenyInsecureTransport',
              Effect: 'Deny',
              Principal: '*',
              Action: 's3:*',
              Resource: [`arn:aws:s3:::${bucket}`, `arn:aws:s3:::${bucket}/*`],
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            },
          ],
        }),
      }),
    );
    // Assets are content-addressed and read only while a deploy runs; a deployed function keeps its
    // own copy of the code. A year is long enough for any rollback to find its template.
    await s3.send(
      new sdk.PutBucketLifecycleConfigurationCommand({
        Bucket: bucket,
        LifecycleConfiguration: {
          Rules: [
            { ID: 'expire-old-assets', Status: 'Enabled', Filter: { Prefix: 'assets/' }, Expiration: { Days: 365 } },
            { ID: 'abort-incomplete-uploads', Status: 'Enabled', Filter: { Prefix: '' }, AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 } },
          ],
        },
      }),
    );
  });
  return true;
}
