/**
 * The digests SQS returns with every send and receive. SDKs check them (v3 checks the body's; the Java
 * and Go SDKs also check the attributes'), so they must be byte-exact. The attribute digest follows
 * "Calculating the MD5 message digest for message attributes" (SQS Developer Guide): attributes sorted
 * by name, each as length-prefixed (4-byte big-endian) name, data type, a transport byte (1 string or
 * number, 2 binary) and the length-prefixed value.
 */
import { createHash } from 'node:crypto';

export interface AttributeValue {
  DataType: string;
  StringValue?: string;
  /** Base64, as in the JSON protocol. */
  BinaryValue?: string;
}

export function md5Hex(text: string): string {
  return createHash('md5').update(text, 'utf8').digest('hex');
}

/** undefined when there are no attributes: SQS then leaves the digest out of the response. */
export function md5OfAttributes(attributes: Readonly<Record<string, AttributeValue>> | undefined): string | undefined {
  const names = Object.keys(attributes ?? {}).sort();
  if (!attributes || names.length === 0) return undefined;
  const hash = createHash('md5');
  const field = (bytes: Buffer) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(bytes.length);
    hash.update(length);
    hash.update(bytes);
  };
  for (const name of names) {
    const value = attributes[name]!;
    field(Buffer.from(name, 'utf8'));
    field(Buffer.from(value.DataType, 'utf8'));
    if (value.DataType.startsWith('Binary')) {
      hash.update(Buffer.from([2]));
      field(Buffer.from(value.BinaryValue ?? '', 'base64'));
    } else {
      hash.update(Buffer.from([1]));
      field(Buffer.from(value.StringValue ?? '', 'utf8'));
    }
  }
  return hash.digest('hex');
}
