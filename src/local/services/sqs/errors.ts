/**
 * SQS's errors. The JSON protocol names an error by its Smithy shape (`__type`), and the
 * awsQueryCompatible header `x-amzn-query-error` carries the code the query protocol used; the SDK
 * builds its error from the header first, so `error.name` is the modelled shape (QueueDoesNotExist) or,
 * for unmodelled errors, the query code (InvalidParameterValue). Codes, query codes and HTTP statuses
 * are those of the SQS Smithy model (@aws-sdk/client-sqs schemas).
 */
import { AwsError } from '../../errors.js';

/** Shapes the model declares: `com.amazonaws.sqs#<code>`. Anything else is a generic coral error. */
const MODELLED = new Set([
  'BatchEntryIdsNotDistinct', 'BatchRequestTooLong', 'EmptyBatchRequest', 'InvalidAddress', 'InvalidAttributeName',
  'InvalidAttributeValue', 'InvalidBatchEntryId', 'InvalidIdFormat', 'InvalidMessageContents', 'InvalidSecurity',
  'MessageNotInflight', 'OverLimit', 'PurgeQueueInProgress', 'QueueDeletedRecently', 'QueueDoesNotExist',
  'QueueNameExists', 'ReceiptHandleIsInvalid', 'RequestThrottled', 'ResourceNotFoundException',
  'TooManyEntriesInBatchRequest', 'UnsupportedOperation',
]);

export function jsonTypePrefix(code: string): string {
  return MODELLED.has(code) ? 'com.amazonaws.sqs#' : 'com.amazon.coral.service#';
}

const sqsError = (code: string, message: string, queryCode = code, status = 400) =>
  new AwsError(code, message, status, { queryCode });

export const queueDoesNotExist = () =>
  sqsError('QueueDoesNotExist', 'The specified queue does not exist.', 'AWS.SimpleQueueService.NonExistentQueue');

export const queueNameExists = (attribute: string) =>
  sqsError('QueueNameExists', `A queue already exists with the same name and a different value for attribute ${attribute}`, 'QueueAlreadyExists');

export const invalidParameterValue = (message: string) =>
  sqsError('InvalidParameterValueException', message, 'InvalidParameterValue');

/** `Value <v> for parameter <name> is invalid. Reason: <reason>`, AWS's wording for range errors. */
export const invalidValue = (name: string, value: unknown, reason: string) =>
  invalidParameterValue(`Value ${String(value)} for parameter ${name} is invalid. Reason: ${reason}`);

export const missingParameter = (name: string) =>
  sqsError('MissingRequiredParameterException', `The request must contain the parameter ${name}.`, 'MissingParameter');

export const invalidAttributeName = (message: string) => sqsError('InvalidAttributeName', message);

export const invalidAttributeValue = (message: string) => sqsError('InvalidAttributeValue', message);

export const invalidMessageContents = () =>
  sqsError(
    'InvalidMessageContents',
    'Invalid characters found. Valid unicode characters are #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF',
  );

export const receiptHandleIsInvalid = (handle: string) =>
  sqsError('ReceiptHandleIsInvalid', `The input receipt handle "${handle}" is not a valid receipt handle.`, 'ReceiptHandleIsInvalid', 404);

export const messageNotInflight = () =>
  sqsError('MessageNotInflight', 'The message referred to isn\'t in flight.', 'AWS.SimpleQueueService.MessageNotInflight');

export const invalidAddress = (url: string) =>
  sqsError('InvalidAddress', `The address ${url} is not valid for this endpoint.`, 'InvalidAddress', 404);

export const purgeQueueInProgress = (name: string) =>
  sqsError('PurgeQueueInProgress', `Only one PurgeQueue operation on ${name} is allowed every 60 seconds.`, 'AWS.SimpleQueueService.PurgeQueueInProgress', 403);

export const resourceNotFound = (message: string) => sqsError('ResourceNotFoundException', message, 'ResourceNotFoundException', 404);

export const batchErrors = {
  empty: (entry: string) =>
    sqsError('EmptyBatchRequest', `There should be at least one ${entry} in the request.`, 'AWS.SimpleQueueService.EmptyBatchRequest'),
  tooMany: (count: number) =>
    sqsError('TooManyEntriesInBatchRequest', `Maximum number of entries per request are 10. You have sent ${count}.`, 'AWS.SimpleQueueService.TooManyEntriesInBatchRequest'),
  notDistinct: (id: string) =>
    sqsError('BatchEntryIdsNotDistinct', `Id ${id} repeated.`, 'AWS.SimpleQueueService.BatchEntryIdsNotDistinct'),
  invalidId: () =>
    sqsError('InvalidBatchEntryId', 'A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long.', 'AWS.SimpleQueueService.InvalidBatchEntryId'),
  tooLong: (max: number, sent: number) =>
    sqsError('BatchRequestTooLong', `Batch requests cannot be longer than ${max} bytes. You have sent ${sent} bytes.`, 'AWS.SimpleQueueService.BatchRequestTooLong'),
};

export const invalidAction = (action: string) =>
  new AwsError('InvalidAction', `The action ${action || '(none)'} is not valid for this endpoint.`, 400, { queryCode: 'InvalidAction' });
