/**
 * Lambda entry point of the result notifier (invoked by the delivery state machine, src/infra/delivery.ts).
 * The signing key is read through Powertools Parameters' Secrets provider: cached for KEY_MAX_AGE
 * seconds per container, so a rotated key (`tap webhook secret --rotate`) is used within that time.
 * The key is never logged; the URL only as its origin.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import type { Context } from 'aws-lambda';
import { ENV, NOTIFIER_SERVICE_NAME, metricsNamespace } from './contract.js';
import { dynamoLedger } from './delivery/ledger.js';
import { type NotifyDeps, type NotifyEvent, notify } from './delivery/notify.js';

/** Seconds a read key is reused. */
export const KEY_MAX_AGE = 5;
/** A partner's endpoint gets this long to answer (the function's own timeout is longer). */
export const POST_TIMEOUT_MS = 10_000;

let deps: (NotifyDeps & { logger: Logger; metrics: Metrics }) | undefined;

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`environment variable ${name} is not set`);
  return value;
}

function build(): NonNullable<typeof deps> {
  const env = required(ENV.environment);
  const secretId = required(ENV.webhookSecret);
  const secrets = new SecretsProvider({ awsSdkV3Client: new SecretsManagerClient({}) });
  const docs = DynamoDBDocumentClient.from(new DynamoDBClient({}));
  return {
    env,
    async signingKey() {
      const value = (await secrets.get(secretId, { maxAge: KEY_MAX_AGE, transform: 'json' })) as { signingKey?: unknown } | undefined;
      if (typeof value?.signingKey !== 'string' || !value.signingKey) throw new Error(`the secret ${secretId} has no signingKey`);
      return value.signingKey;
    },
    async post(url, body, headers) {
      // Redirects are not followed: a signed delivery goes to the configured URL or nowhere.
      const response = await fetch(url, { method: 'POST', body, headers, redirect: 'manual', signal: AbortSignal.timeout(POST_TIMEOUT_MS) });
      await response.body?.cancel();
      return { status: response.status };
    },
    ledger: dynamoLedger(docs, required(ENV.metadataTable)),
    logger: new Logger({ serviceName: NOTIFIER_SERVICE_NAME, persistentKeys: { environment: env } }),
    metrics: new Metrics({ namespace: metricsNamespace(env), serviceName: NOTIFIER_SERVICE_NAME }),
  };
}

export async function handler(event: NotifyEvent, context: Context) {
  const d = (deps ??= build());
  d.logger.addContext(context);
  try {
    return await notify(event, d);
  } finally {
    if (d.metrics.hasStoredMetrics()) d.metrics.publishStoredMetrics();
  }
}
