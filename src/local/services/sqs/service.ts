/**
 * SQS: the JSON protocol (awsJson1_0, `X-Amz-Target: AmazonSQS.<Op>`, what SDK v3 speaks) and the
 * query protocol (form-encoded `Action=…`, XML out, for AWS CLI v1 and older SDKs), routed by the
 * presence of X-Amz-Target; both run the same operations over the same store, which also backs the
 * in-process SqsApi (S3 notifications, the Lambda event-source poller). Standard and FIFO queues,
 * redrive to dead-letter queues and DLQ redrive tasks; state survives kill -9 (journal.ts).
 *
 * Leaves out:
 * - AddPermission / RemovePermission (NotImplemented), and any enforcement of queue policies: the
 *   Policy attribute is stored and returned, every caller is allowed, only the local account exists.
 * - Encryption: KmsMasterKeyId / SqsManagedSseEnabled are stored and returned, nothing is encrypted.
 * - Short-poll sampling: a receive sees every visible message (AWS may return fewer, even none).
 * - The 60 s wait before re-creating a deleted queue's name (QueueDeletedRecently) and the in-flight
 *   message limit (OverLimit): local tests should not have to wait or flood.
 * - FIFO: ReceiveRequestAttemptId is accepted and ignored; a changed DelaySeconds applies to new
 *   messages only (AWS applies it retroactively on FIFO queues); throughput limits do not apply.
 * - Fair queues: MessageGroupId is accepted on standard queues and returned, without fair scheduling.
 * - CloudWatch metrics.
 */
import type { ServerResponse } from 'node:http';
import { AwsError, notImplemented } from '../../errors.js';
import { sendJson, sendJsonError } from '../../protocols/json.js';
import { parseQueryParams, sendQueryError } from '../../protocols/query.js';
import type { ServiceRequest } from '../../request.js';
import type { LocalContext } from '../../service.js';
import { serviceDir } from '../../storage.js';
import type { SqsApi, SqsMessage } from '../contracts.js';
import { invalidAction, jsonTypePrefix } from './errors.js';
import { systemAttributes } from './messages.js';
import { messageOperations } from './message-ops.js';
import { MoveTasks } from './move-tasks.js';
import { type Call, type Input, queueOperations } from './queue-ops.js';
import { flushJournals } from './journal.js';
import { QUERY_XMLNS, queryInput, queryResult, sendQueryXml } from './query.js';
import { SqsStore } from './store.js';

const UNSUPPORTED = new Set(['AddPermission', 'RemovePermission']);

/** The service, plus its store for in-process callers (the CloudFormation engine): it validates as the API does. */
export interface LocalSqs extends SqsApi {
  readonly store: SqsStore;
}

export function sqsService(ctx: LocalContext): LocalSqs {
  const store = new SqsStore(serviceDir(ctx.dataDir, 'sqs'), ctx.accountId, () => ctx.endpoint());
  const tasks = new MoveTasks(store);
  const operations = { ...queueOperations(store, tasks), ...messageOperations(store) };
  /** Aborted on stop: every long poll in progress ends at once, so the server can close. */
  let stopping = new AbortController();

  const run = async (op: string, input: Input, call: Call): Promise<Input> => {
    const operation = Object.hasOwn(operations, op) ? operations[op] : undefined;
    if (!operation) throw UNSUPPORTED.has(op) ? notImplemented('sqs', op) : invalidAction(op);
    return (await operation(input, call)) as Input;
  };

  /** A signal for a long poll: the client hanging up or the server stopping. */
  const pollSignal = (res: ServerResponse) => {
    const controller = new AbortController();
    const abort = () => controller.abort();
    res.once('close', abort);
    stopping.signal.addEventListener('abort', abort, { once: true });
    const release = () => {
      res.off('close', abort);
      stopping.signal.removeEventListener('abort', abort);
    };
    return { signal: controller.signal, release };
  };

  const loadAll = () => {
    store.load();
    tasks.load(store.regionNames());
  };

  const api: LocalSqs = {
    name: 'sqs',
    targetPrefixes: ['AmazonSQS'],
    store,

    async start() {
      stopping = new AbortController();
      loadAll();
    },

    async handle(req: ServiceRequest, res: ServerResponse) {
      let op: string;
      let input: Input;
      if (req.target) {
        op = req.target;
        input = await jsonInput(req);
      } else {
        const params = parseQueryParams((await req.body()).toString('utf8'), req.url);
        op = params.get('Action') ?? '';
        ctx.faults.maybeFail('sqs', op);
        input = queryInput(op, params);
        // Older clients post to the queue URL itself and leave QueueUrl out.
        if (input.QueueUrl === undefined && req.url.pathname.split('/').filter(Boolean).length >= 2) {
          input.QueueUrl = `${ctx.endpoint()}${req.url.pathname}`;
        }
      }
      const poll = op === 'ReceiveMessage' ? pollSignal(res) : undefined;
      try {
        const output = await run(op, input, { region: req.region, sender: senderOf(req, ctx.accountId), ...(poll ? { signal: poll.signal } : {}) });
        await flushJournals(); // acknowledged means on disk (journal.ts)
        if (req.target) sendJson(res, req.requestId, output);
        else sendQueryXml(res, req.requestId, op, queryResult(op, output));
      } finally {
        poll?.release();
      }
    },

    sendError(req: ServiceRequest, res: ServerResponse, error: AwsError) {
      if (req.target) sendJsonError(res, req.requestId, error, { typePrefix: jsonTypePrefix(error.code) });
      else sendQueryError(res, req.requestId, error, QUERY_XMLNS);
    },

    async stop() {
      stopping.abort();
      tasks.stop();
      store.close();
    },

    async reset() {
      tasks.reset();
      store.reset();
      loadAll();
    },

    async sendByArn(queueArn, body) {
      const sent = store.send(store.queueByArn(queueArn), { MessageBody: body }, ctx.accountId);
      await flushJournals();
      return { messageId: sent.MessageId };
    },

    async receiveByArn(queueArn, options) {
      const signal = options.signal ? AbortSignal.any([options.signal, stopping.signal]) : stopping.signal;
      const messages = await store.receive(store.queueByArn(queueArn), {
        max: options.maxMessages,
        waitSeconds: options.waitSeconds,
        signal,
      });
      return messages.map(
        (m): SqsMessage => ({
          messageId: m.id,
          receiptHandle: m.handle!,
          body: m.body,
          md5OfBody: m.md5,
          attributes: systemAttributes(m),
          messageAttributes: { ...m.attributes },
        }),
      );
    },

    async deleteByArn(queueArn, receiptHandle) {
      store.deleteMessage(store.queueByArn(queueArn), receiptHandle);
    },

    async changeVisibilityByArn(queueArn, receiptHandle, visibilityTimeoutSeconds) {
      store.changeVisibility(store.queueByArn(queueArn), receiptHandle, visibilityTimeoutSeconds);
    },

    async attributesByArn(queueArn) {
      return store.attributes(store.queueByArn(queueArn), ['All']);
    },
  };
  return api;
}

async function jsonInput(req: ServiceRequest): Promise<Input> {
  try {
    const input = await req.json<Input>();
    if (typeof input !== 'object' || input === null || Array.isArray(input)) throw new Error('not an object');
    return input;
  } catch {
    throw new AwsError('SerializationException', 'The request body is not a JSON object.', 400, { queryCode: 'MalformedInput' });
  }
}

/** SenderId: the caller's access key id (what GetCallerIdentity reports as UserId here). */
function senderOf(req: ServiceRequest, accountId: string): string {
  return /Credential=([^/,\s]+)\//.exec(req.header('authorization') ?? '')?.[1] ?? req.url.searchParams.get('X-Amz-Credential')?.split('/')[0] ?? accountId;
}
