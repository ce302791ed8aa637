/**
 * S3's errors, with the codes, HTTP statuses, messages and extra `<Error>` fields S3 answers with
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html).
 */
import { AwsError } from '../../errors.js';

const err = (code: string, message: string, status = 400, fields?: Record<string, string>, headers?: Record<string, string>) =>
  new AwsError(code, message, status, { ...(fields && { fields }), ...(headers && { headers }) });

export const noSuchBucket = (bucket: string) =>
  err('NoSuchBucket', 'The specified bucket does not exist', 404, { BucketName: bucket });

export const noSuchKey = (key: string, headers?: Record<string, string>) =>
  err('NoSuchKey', 'The specified key does not exist.', 404, { Key: key }, headers);

export const noSuchVersion = (key: string, versionId: string) =>
  err('NoSuchVersion', 'The specified version does not exist.', 404, { Key: key, VersionId: versionId });

export const noSuchUpload = (uploadId: string) =>
  err(
    'NoSuchUpload',
    'The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.',
    404,
    { UploadId: uploadId },
  );

export const bucketAlreadyOwnedByYou = (bucket: string) =>
  err('BucketAlreadyOwnedByYou', 'Your previous request to create the named bucket succeeded and you already own it.', 409, {
    BucketName: bucket,
  });

export const bucketNotEmpty = (bucket: string) =>
  err('BucketNotEmpty', 'The bucket you tried to delete is not empty', 409, { BucketName: bucket });

export const invalidBucketName = (bucket: string) =>
  err('InvalidBucketName', 'The specified bucket is not valid.', 400, { BucketName: bucket });

export const invalidArgument = (message: string, name?: string, value?: string) =>
  err('InvalidArgument', message, 400, name === undefined ? undefined : { ArgumentName: name, ArgumentValue: value ?? '' });

export const invalidRequest = (message: string) => err('InvalidRequest', message, 400);

export const malformedXml = () =>
  err('MalformedXML', 'The XML you provided was not well-formed or did not validate against our published schema', 400);

export const preconditionFailed = (condition: string) =>
  err('PreconditionFailed', 'At least one of the pre-conditions you specified did not hold', 412, { Condition: condition });

export const invalidRange = (size: number) =>
  err('InvalidRange', 'The requested range is not satisfiable', 416, { RangeRequested: '', ActualObjectSize: String(size) }, {
    'content-range': `bytes */${size}`,
  });

export const badDigest = (what: string) =>
  err('BadDigest', `The ${what} you specified did not match the calculated checksum.`, 400);

export const badContentMd5 = () => err('BadDigest', 'The Content-MD5 you specified did not match what we received.', 400);

export const invalidDigest = () => err('InvalidDigest', 'The Content-MD5 you specified was invalid.', 400);

export const incompleteBody = () =>
  err('IncompleteBody', 'You did not provide the number of bytes specified by the Content-Length HTTP header', 400);

export const invalidPart = (partNumber: number, etag: string) =>
  err(
    'InvalidPart',
    "One or more of the specified parts could not be found.  The part may not have been uploaded, or the specified entity tag may not match the part's entity tag.",
    400,
    { UploadId: '', PartNumber: String(partNumber), ETag: etag },
  );

export const invalidPartOrder = () =>
  err('InvalidPartOrder', 'The list of parts was not in ascending order. Parts must be ordered by part number.', 400);

export const entityTooSmall = (size: number, partNumber: number, etag: string) =>
  err('EntityTooSmall', 'Your proposed upload is smaller than the minimum allowed size', 400, {
    ProposedSize: String(size),
    MinSizeAllowed: String(5 * 1024 * 1024),
    PartNumber: String(partNumber),
    ETag: etag,
  });

export const entityTooLarge = (size: number, max: number) =>
  err('EntityTooLarge', 'Your proposed upload exceeds the maximum allowed size', 400, {
    ProposedSize: String(size),
    MaxSizeAllowed: String(max),
  });

/** The "not found" errors of the optional bucket configurations. */
export const noSuchConfiguration = (code: string, message: string, bucket: string) => err(code, message, 404, { BucketName: bucket });

export const methodNotAllowed = (headers: Record<string, string>) =>
  err('MethodNotAllowed', 'The specified method is not allowed against this resource.', 405, { Method: 'GET', ResourceType: 'DeleteMarker' }, headers);

export const notModified = () => new AwsError('NotModified', 'Not Modified', 304);
