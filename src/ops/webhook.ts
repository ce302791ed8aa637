/**
 * `tap webhook secret` (where the signing key lives; `--rotate` puts a new version) and
 * `tap webhook listen` (a local receiver that verifies each delivery against the env's key, as a
 * partner would, and answers with a chosen status to try failures).
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { webhookSecretName } from '../handlers/contract.js';
import { DELIVERY_ID_HEADER, SIGNATURE_HEADER, verifySignature } from '../handlers/delivery/signature.js';
import { explainAwsError } from './aws-errors.js';
import type { Clients } from './clients.js';
import { UserError } from './errors.js';
import type { Pipeline } from './pipeline.js';
import { step, type Reporter } from './reporter.js';

export interface SecretResult {
  readonly kind: 'secret';
  readonly name: string;
  readonly arn: string;
  readonly region: string;
  /** The version that signs from now on (AWSCURRENT). */
  readonly versionId: string;
  readonly rotated: boolean;
  readonly lastChangedDate?: string;
  /** How to read the key (it is never printed by tap). */
  readonly readCommand: string;
}

function secretIdOf(pipeline: Pipeline): string {
  return pipeline.webhookSecret ?? webhookSecretName(pipeline.env);
}

export async function webhookSecret(clients: Clients, pipeline: Pipeline, options: { rotate: boolean }, reporter: Reporter): Promise<SecretResult> {
  const { DescribeSecretCommand, GetRandomPasswordCommand, PutSecretValueCommand } = await import('@aws-sdk/client-secrets-manager');
  const sm = await clients.secretsManager();
  const id = secretIdOf(pipeline);
  try {
    let versionId: string | undefined;
    if (options.rotate) {
      const { RandomPassword } = await sm.send(new GetRandomPasswordCommand({ PasswordLength: 64, ExcludePunctuation: true }));
      const put = await step(reporter, 'TAP_WEBHOOK_ROTATE', `Putting a new signing key in ${webhookSecretName(pipeline.env)}`, () =>
        sm.send(new PutSecretValueCommand({ SecretId: id, SecretString: JSON.stringify({ signingKey: RandomPassword }) })),
      );
      versionId = put.VersionId;
    }
    const described = await sm.send(new DescribeSecretCommand({ SecretId: id }));
    versionId ??= Object.entries(described.VersionIdsToStages ?? {}).find(([, stages]) => stages.includes('AWSCURRENT'))?.[0];
    return {
      kind: 'secret',
      name: described.Name ?? webhookSecretName(pipeline.env),
      arn: described.ARN ?? id,
      region: clients.target.region,
      versionId: versionId ?? '',
      rotated: options.rotate,
      ...(described.LastChangedDate && { lastChangedDate: described.LastChangedDate.toISOString() }),
      readCommand: `aws secretsmanager get-secret-value --secret-id ${described.Name ?? id} --region ${clients.target.region}${clients.target.endpoint ? ` --endpoint-url ${clients.target.endpoint}` : ''} --query SecretString --output text`,
    };
  } catch (error) {
    if ((error as Error).name === 'ResourceNotFoundException') {
      throw new UserError(`${pipeline.stackName} has no webhook secret ${webhookSecretName(pipeline.env)}: it was deployed by an older tap. Run tap deploy --env ${pipeline.env}.`);
    }
    throw explainAwsError(error, clients.target, `reading the webhook secret of ${pipeline.stackName}`);
  }
}

/** One request the listener received. */
export interface ReceivedDelivery {
  readonly receivedAt: string;
  readonly method: string;
  readonly path: string;
  readonly deliveryId?: string;
  readonly verified: boolean;
  /** Which key matched: the current one, or the previous one (a rotation in progress). */
  readonly key?: 'current' | 'previous';
  /** Why it did not verify. */
  readonly problem?: string;
  readonly answered: number;
  readonly body: unknown;
}

export interface ListenOptions {
  readonly port: number;
  /** The HTTP status to answer with (2xx delivers; others make the notifier retry). */
  readonly status: number;
  readonly signal: AbortSignal;
  /** --local: set the env's webhook to this listener while it runs, and back afterwards (a deploy each way). */
  readonly swapWebhook?: (url: string | null) => Promise<void>;
  onListening?(url: string): void;
  onDelivery(delivery: ReceivedDelivery): void;
}

export interface ListenResult {
  readonly kind: 'listen';
  readonly url: string;
  readonly received: number;
  readonly verified: number;
  readonly restored?: string | null;
}

/** A delivery body is one outcome: a megabyte is far more than any. */
const MAX_BODY = 1024 * 1024;

export async function listenWebhook(clients: Clients, pipeline: Pipeline, options: ListenOptions, reporter: Reporter): Promise<ListenResult> {
  const keys = keyReader(clients, secretIdOf(pipeline));
  await step(reporter, 'TAP_WEBHOOK_KEY', `Reading the signing key of ${pipeline.env}`, () => keys.refresh());
  let received = 0;
  let verified = 0;
  const server = createServer((req, res) => {
    void readBody(req).then(async (raw) => {
      const header = req.headers[SIGNATURE_HEADER.toLowerCase()] as string | undefined;
      let check = verifySignature(header, raw ?? '', keys.current());
      // A rotation since the keys were read: read them again once before calling the signature bad.
      if (!check.ok && check.reason === 'mismatch') {
        await keys.refresh().catch(() => undefined);
        check = verifySignature(header, raw ?? '', keys.current());
      }
      const status = raw === undefined ? 413 : options.status;
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ received: true }));
      received++;
      if (check.ok) verified++;
      let body: unknown = raw;
      try {
        body = JSON.parse(raw ?? '');
      } catch {
        // shown as text
      }
      options.onDelivery({
        receivedAt: new Date().toISOString(),
        method: req.method ?? '',
        path: req.url ?? '',
        ...(req.headers[DELIVERY_ID_HEADER.toLowerCase()] && { deliveryId: String(req.headers[DELIVERY_ID_HEADER.toLowerCase()]) }),
        verified: check.ok,
        ...(check.ok ? { key: check.keyIndex === 0 ? 'current' : 'previous' } : { problem: check.message }),
        answered: status,
        body,
      });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(error.code === 'EADDRINUSE' ? new UserError(`Port ${options.port} is in use: pick another with --port.`) : error),
    );
    server.listen(options.port, '127.0.0.1', resolve);
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  let restored: string | null | undefined;
  // What to put back afterwards: the URL the stack remembers now.
  const previousUrl = options.swapWebhook ? await rememberedWebhook(clients, pipeline) : undefined;
  let swapped = false;
  try {
    if (options.swapWebhook) {
      await options.swapWebhook(url);
      swapped = true;
    }
    options.onListening?.(url);
    if (!options.signal.aborted) await new Promise((resolve) => options.signal.addEventListener('abort', resolve, { once: true }));
  } finally {
    server.close();
    server.closeAllConnections();
    if (options.swapWebhook && swapped) {
      restored = previousUrl ?? null;
      await options.swapWebhook(restored);
    }
  }
  return { kind: 'listen', url, received, verified, ...(restored !== undefined && { restored }) };
}

async function rememberedWebhook(clients: Clients, pipeline: Pipeline): Promise<string | undefined> {
  const [{ describeStack }, { rememberedSettings }] = await Promise.all([import('./stack-state.js'), import('./settings.js')]);
  const state = await describeStack(await clients.cloudformation(), pipeline.stackName);
  return rememberedSettings(state?.tags ?? {}).webhookUrl;
}

/** The current and previous signing keys (AWSPREVIOUS exists after a rotation). */
function keyReader(clients: Clients, secretId: string) {
  let keys: string[] = [];
  return {
    current: () => keys,
    async refresh() {
      const { GetSecretValueCommand } = await import('@aws-sdk/client-secrets-manager');
      const sm = await clients.secretsManager();
      const read = async (stage: string) => {
        try {
          const out = await sm.send(new GetSecretValueCommand({ SecretId: secretId, VersionStage: stage }));
          return (JSON.parse(out.SecretString ?? '{}') as { signingKey?: string }).signingKey;
        } catch (error) {
          if (stage === 'AWSPREVIOUS' && (error as Error).name === 'ResourceNotFoundException') return undefined;
          throw explainAwsError(error, clients.target, `reading the signing key ${secretId}`);
        }
      };
      keys = [await read('AWSCURRENT'), await read('AWSPREVIOUS')].filter((k): k is string => Boolean(k));
    },
  };
}

/** The body as text, or undefined when it is larger than MAX_BODY. */
function readBody(req: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY) chunks.push(chunk);
    });
    req.on('end', () => resolve(size > MAX_BODY ? undefined : Buffer.concat(chunks).toString('utf8')));
    req.on('error', () => resolve(undefined));
  });
}
