/** The delivery ledger (notify.ts) on the metadata table: `delivery_*` attributes of the outcome's item. */
import { GetCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { DeliveryLedger } from './notify.js';

export function dynamoLedger(docs: DynamoDBDocumentClient, table: string): DeliveryLedger {
  return {
    async current(outcome) {
      const { Item } = await docs.send(new GetCommand({ TableName: table, Key: { filename: outcome.key, upload_timestamp: outcome.uploadedAt }, ConsistentRead: true }));
      if (!Item) return undefined;
      return {
        ...(Item['delivery_id'] !== undefined && { id: String(Item['delivery_id']) }),
        ...(Item['delivery_status'] !== undefined && { status: Item['delivery_status'] }),
        ...(Item['delivery_attempts'] !== undefined && { attempts: Number(Item['delivery_attempts']) }),
        ...(Item['delivery_http_status'] !== undefined && { httpStatus: Number(Item['delivery_http_status']) }),
        ...(Item['delivery_at'] !== undefined && { at: String(Item['delivery_at']) }),
      };
    },
    async record(outcome, id, attempt) {
      const values: Record<string, unknown> = { ':id': id, ':s': attempt.status, ':n': attempt.attempts, ':at': attempt.at };
      const set = ['delivery_id = :id', 'delivery_status = :s', 'delivery_attempts = :n', 'delivery_at = :at'];
      const remove: string[] = [];
      for (const [name, value] of [['delivery_http_status', attempt.httpStatus], ['delivery_error', attempt.error]] as const) {
        if (value === undefined) remove.push(name);
        else {
          set.push(`${name} = :${name}`);
          values[`:${name}`] = value;
        }
      }
      await docs.send(
        new UpdateCommand({
          TableName: table,
          Key: { filename: outcome.key, upload_timestamp: outcome.uploadedAt },
          UpdateExpression: `SET ${set.join(', ')}${remove.length ? ` REMOVE ${remove.join(', ')}` : ''}`,
          // Never create an item: an outcome whose metadata was deleted stays deleted.
          ConditionExpression: 'attribute_exists(filename)',
          ExpressionAttributeValues: values,
        }),
      );
    },
  };
}
