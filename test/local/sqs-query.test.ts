import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseXml } from '../../src/local/protocols/xml.js';
import { startLocal, type LocalHarness } from '../helpers/local.js';

let local: LocalHarness;
beforeAll(async () => {
  local = await startLocal();
});
afterAll(() => local.stop());

/** What AWS CLI v1 and other query-protocol clients send: signed form posts (signature not checked locally). */
async function query(params: Record<string, string>, path = '/') {
  const res = await fetch(`${local.endpoint}${path}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
      authorization: 'AWS4-HMAC-SHA256 Credential=AKIDQUERY/20260101/us-east-1/sqs/aws4_request, SignedHeaders=host, Signature=x',
    },
    body: new URLSearchParams({ Version: '2012-11-05', ...params }).toString(),
  });
  const text = await res.text();
  return { status: res.status, text, xml: parseXml<Record<string, any>>(text) };
}

describe('SQS over the query protocol', () => {
  it('creates, sends, receives and deletes with XML responses', async () => {
    const created = await query({
      Action: 'CreateQueue', QueueName: 'legacy', 'Attribute.1.Name': 'VisibilityTimeout', 'Attribute.1.Value': '40', 'Tag.1.Key': 'team', 'Tag.1.Value': 'ops',
    });
    expect(created.status).toBe(200);
    expect(created.text).toContain('xmlns="http://queue.amazonaws.com/doc/2012-11-05/"');
    const queueUrl = created.xml.CreateQueueResponse.CreateQueueResult.QueueUrl as string;
    expect(queueUrl).toBe(`${local.endpoint}/000000000000/legacy`);

    const body = 'line one\r\nline <two> & "three"';
    const sent = await query({
      Action: 'SendMessage', QueueUrl: queueUrl, MessageBody: body,
      'MessageAttribute.1.Name': 'kind', 'MessageAttribute.1.Value.DataType': 'String', 'MessageAttribute.1.Value.StringValue': 'test',
    });
    const sendResult = sent.xml.SendMessageResponse.SendMessageResult;
    expect(sendResult.MD5OfMessageBody).toBe(createHash('md5').update(body).digest('hex'));
    expect(sendResult.MD5OfMessageAttributes).toMatch(/^[0-9a-f]{32}$/);

    // Posted to the queue URL itself, without a QueueUrl parameter, as older clients do.
    const received = await query(
      { Action: 'ReceiveMessage', 'AttributeName.1': 'All', 'MessageAttributeName.1': 'All', VisibilityTimeout: '5' },
      '/000000000000/legacy',
    );
    const message = received.xml.ReceiveMessageResponse.ReceiveMessageResult.Message;
    // A literal CR would reach an XML client as LF and fail its MD5 check; AWS writes it as &#xD;.
    // (fast-xml-parser leaves numeric references as they are; standard XML parsers decode them.)
    expect(received.text).not.toContain('\r');
    expect((message.Body as string).replace(/&#xD;/g, '\r')).toBe(body);
    expect(message.MessageId).toBe(sendResult.MessageId);
    expect(message.MD5OfMessageAttributes).toBe(sendResult.MD5OfMessageAttributes);
    expect(message.MessageAttribute).toEqual({ Name: 'kind', Value: { StringValue: 'test', DataType: 'String' } });
    const attributes = Object.fromEntries((message.Attribute as Array<{ Name: string; Value: string }>).map((a) => [a.Name, a.Value]));
    expect(attributes).toMatchObject({ ApproximateReceiveCount: '1', SenderId: 'AKIDQUERY' });

    const queueAttributes = await query({ Action: 'GetQueueAttributes', QueueUrl: queueUrl, 'AttributeName.1': 'VisibilityTimeout' });
    expect(queueAttributes.xml.GetQueueAttributesResponse.GetQueueAttributesResult.Attribute).toEqual({ Name: 'VisibilityTimeout', Value: '40' });

    const deleted = await query({ Action: 'DeleteMessage', QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle });
    expect(deleted.status).toBe(200);
    expect(deleted.xml.DeleteMessageResponse.ResponseMetadata.RequestId).toBeTruthy();

    const batch = await query({
      Action: 'SendMessageBatch', QueueUrl: queueUrl,
      'SendMessageBatchRequestEntry.1.Id': 'ok', 'SendMessageBatchRequestEntry.1.MessageBody': 'fine',
      'SendMessageBatchRequestEntry.2.Id': 'bad', 'SendMessageBatchRequestEntry.2.MessageBody': 'x', 'SendMessageBatchRequestEntry.2.DelaySeconds': '901',
    });
    const batchResult = batch.xml.SendMessageBatchResponse.SendMessageBatchResult;
    expect(batchResult.SendMessageBatchResultEntry.Id).toBe('ok');
    expect(batchResult.BatchResultErrorEntry).toMatchObject({ Id: 'bad', Code: 'InvalidParameterValue', SenderFault: 'true' });

    const listed = await query({ Action: 'ListQueues', QueueNamePrefix: 'leg' });
    expect(listed.xml.ListQueuesResponse.ListQueuesResult.QueueUrl).toBe(queueUrl);
  });

  it('answers errors with the query codes in an ErrorResponse', async () => {
    const missing = await query({ Action: 'GetQueueUrl', QueueName: 'absent' });
    expect(missing.status).toBe(400);
    expect(missing.xml.ErrorResponse.Error).toMatchObject({ Type: 'Sender', Code: 'AWS.SimpleQueueService.NonExistentQueue' });
    const unknown = await query({ Action: 'FlyToTheMoon' });
    expect(unknown.xml.ErrorResponse.Error.Code).toBe('InvalidAction');
  });
});
