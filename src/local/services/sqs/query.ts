/**
 * SQS's query protocol (AWS CLI v1, boto2, older SDKs): `Action=SendMessage&QueueUrl=…` form
 * parameters in, `<SendMessageResponse xmlns="http://queue.amazonaws.com/doc/2012-11-05/">` out. It is
 * translated to and from the JSON shapes the operations use; the flattened element names
 * (`Attribute.1.Name`, `<QueueUrl>` repeated, `<BatchResultErrorEntry>`…) are the model's xmlName traits.
 */
import type { ServerResponse } from 'node:http';
import { toXml } from '../../protocols/xml.js';
import type { Input } from './queue-ops.js';

export const QUERY_XMLNS = 'http://queue.amazonaws.com/doc/2012-11-05/';

const NUMERIC = new Set([
  'DelaySeconds', 'MaxNumberOfMessages', 'VisibilityTimeout', 'WaitTimeSeconds', 'MaxResults', 'MaxNumberOfMessagesPerSecond',
]);
const ENTRY_LISTS = new Set(['SendMessageBatchRequestEntry', 'DeleteMessageBatchRequestEntry', 'ChangeMessageVisibilityBatchRequestEntry']);

type Tree = { [key: string]: Tree | string };

/** Form parameters → the operation's JSON-shaped input. */
export function queryInput(action: string, params: ReadonlyMap<string, string>): Input {
  const root: Tree = {};
  for (const [key, value] of params) {
    const parts = key.split('.');
    let node = root;
    for (const part of parts.slice(0, -1)) {
      const next = node[part];
      node = typeof next === 'object' ? next : (node[part] = {});
    }
    node[parts.at(-1)!] = value;
  }
  return shape(root, action === 'CreateQueue' ? 'tags' : 'Tags');
}

function shape(node: Tree, tagsKey: string): Input {
  const out: Input = {};
  for (const [key, value] of Object.entries(node)) {
    if (typeof value === 'string') {
      if (key !== 'Action' && key !== 'Version') out[key] = NUMERIC.has(key) ? Number(value) : value;
    } else if (key === 'Attribute') {
      out.Attributes = Object.fromEntries(list(value).map((e) => [field(e, 'Name'), field(e, 'Value')]));
    } else if (key === 'Tag') {
      out[tagsKey] = Object.fromEntries(list(value).map((e) => [field(e, 'Key'), field(e, 'Value')]));
    } else if (key === 'AttributeName' || key === 'MessageSystemAttributeName' || key === 'MessageAttributeName' || key === 'TagKey') {
      out[`${key}s`] = list(value);
    } else if (key === 'MessageAttribute' || key === 'MessageSystemAttribute') {
      out[`${key}s`] = Object.fromEntries(list(value).map((e) => [field(e, 'Name'), attributeValue(e)]));
    } else if (ENTRY_LISTS.has(key)) {
      out.Entries = list(value).map((e) => (typeof e === 'object' ? shape(e, tagsKey) : {}));
    }
  }
  return out;
}

function list(node: Tree): Array<Tree | string> {
  return Object.keys(node)
    .filter((k) => /^\d+$/.test(k))
    .sort((a, b) => Number(a) - Number(b))
    .map((k) => node[k]!);
}

function field(node: Tree | string, name: string): string {
  return typeof node === 'object' && typeof node[name] === 'string' ? node[name] : '';
}

function attributeValue(entry: Tree | string): Input {
  const value = typeof entry === 'object' && typeof entry.Value === 'object' ? entry.Value : {};
  return Object.fromEntries(['DataType', 'StringValue', 'BinaryValue'].filter((k) => typeof value[k] === 'string').map((k) => [k, value[k]]));
}

/** The JSON output → the `<ActionResult>` content; undefined for actions whose response has none. */
export function queryResult(action: string, output: Input): Record<string, unknown> | undefined {
  const pairs = (map: Record<string, string> | undefined, k: string, v: string) =>
    Object.entries(map ?? {}).map(([key, value]) => ({ [k]: key, [v]: value }));
  switch (action) {
    case 'DeleteQueue': case 'SetQueueAttributes': case 'TagQueue': case 'UntagQueue':
    case 'DeleteMessage': case 'ChangeMessageVisibility': case 'PurgeQueue':
      return undefined;
    case 'ListQueues':
      return { QueueUrl: output.QueueUrls ?? [], NextToken: output.NextToken };
    case 'ListDeadLetterSourceQueues':
      return { QueueUrl: output.queueUrls ?? [], NextToken: output.NextToken };
    case 'GetQueueAttributes':
      return { Attribute: pairs(output.Attributes, 'Name', 'Value') };
    case 'ListQueueTags':
      return { Tag: pairs(output.Tags, 'Key', 'Value') };
    case 'ListMessageMoveTasks':
      return { ListMessageMoveTasksResultEntry: output.Results ?? [] };
    case 'SendMessageBatch': case 'DeleteMessageBatch': case 'ChangeMessageVisibilityBatch':
      return { [`${action}ResultEntry`]: output.Successful ?? [], BatchResultErrorEntry: output.Failed ?? [] };
    case 'ReceiveMessage':
      return {
        Message: ((output.Messages ?? []) as Input[]).map((m) => ({
          MessageId: m.MessageId,
          ReceiptHandle: m.ReceiptHandle,
          MD5OfBody: m.MD5OfBody,
          Body: m.Body,
          Attribute: pairs(m.Attributes, 'Name', 'Value'),
          MD5OfMessageAttributes: m.MD5OfMessageAttributes,
          MessageAttribute: Object.entries((m.MessageAttributes ?? {}) as Record<string, unknown>).map(([Name, Value]) => ({ Name, Value })),
        })),
      };
    default:
      return output;
  }
}

/**
 * Like protocols/query.ts's sendQueryResult, but a carriage return in a body is written `&#xD;`:
 * XML parsers turn a literal CR into LF, which would break the client's MD5 check of the body.
 */
export function sendQueryXml(res: ServerResponse, requestId: string, action: string, result: Record<string, unknown> | undefined): void {
  const text = toXml({
    [`${action}Response`]: {
      '@_xmlns': QUERY_XMLNS,
      ...(result === undefined ? {} : { [`${action}Result`]: result }),
      ResponseMetadata: { RequestId: requestId },
    },
  }).replace(/\r/g, '&#xD;');
  res.writeHead(200, { 'content-type': 'text/xml', 'content-length': Buffer.byteLength(text), 'x-amzn-requestid': requestId });
  res.end(text);
}
