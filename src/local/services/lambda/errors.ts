/** Lambda's error codes (restJson1: the code travels in `x-amzn-errortype`). */
import { AwsError } from '../../errors.js';

export const invalidParameter = (message: string) => new AwsError('InvalidParameterValueException', message);

export const validation = (value: unknown, field: string, rule: string) =>
  new AwsError(
    'ValidationException',
    `1 validation error detected: Value '${typeof value === 'string' ? value : JSON.stringify(value)}' at '${field}' failed to satisfy constraint: ${rule}`,
  );

export const notFound = (message: string) => new AwsError('ResourceNotFoundException', message, 404);

export const functionNotFound = (arn: string) => notFound(`Function not found: ${arn}`);

export const conflict = (message: string) => new AwsError('ResourceConflictException', message, 409);

export const preconditionFailed = () =>
  new AwsError(
    'PreconditionFailedException',
    'The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id',
    412,
  );
