import type { ServerResponse } from 'node:http';
import type { AwsError } from '../errors.js';
import { toXml } from './xml.js';

/**
 * awsQuery (STS, IAM, CloudFormation, SNS, and SQS's older clients): form-encoded parameters in,
 * `<ActionResponse><ActionResult>` XML out, `<ErrorResponse>` for errors.
 */
export function parseQueryParams(body: string, url?: URL): Map<string, string> {
  const params = new Map<string, string>();
  for (const [k, v] of new URLSearchParams(body)) params.set(k, v);
  if (url) for (const [k, v] of url.searchParams) if (!params.has(k)) params.set(k, v);
  return params;
}

/** `Attribute.1.Name=a&Attribute.1.Value=b` style lists: the values of `<prefix>.<n>` in order. */
export function queryList(params: Map<string, string>, prefix: string): string[] {
  const items: Array<[number, string]> = [];
  const re = new RegExp(`^${prefix.replace(/\./g, '\\.')}\\.(\\d+)$`);
  for (const [k, v] of params) {
    const m = re.exec(k);
    if (m) items.push([Number(m[1]), v]);
  }
  return items.sort((a, b) => a[0] - b[0]).map(([, v]) => v);
}

/** `Tags.member.1.Key=a&Tags.member.1.Value=b` → [{ Key: 'a', Value: 'b' }]. */
export function queryStructList(params: Map<string, string>, prefix: string): Array<Record<string, string>> {
  const items = new Map<number, Record<string, string>>();
  const re = new RegExp(`^${prefix.replace(/\./g, '\\.')}\\.(\\d+)\\.(.+)$`);
  for (const [k, v] of params) {
    const m = re.exec(k);
    if (!m) continue;
    const item = items.get(Number(m[1])) ?? {};
    item[m[2]!] = v;
    items.set(Number(m[1]), item);
  }
  return [...items.entries()].sort((a, b) => a[0] - b[0]).map(([, v]) => v);
}

/** `Tags.member.N.Key` / `.Value` → [{ Key, Value }], the way query APIs send tags. */
export function queryTags(params: Map<string, string>): Array<{ Key: string; Value: string }> {
  return queryStructList(params, 'Tags.member').map((t) => ({ Key: t.Key ?? '', Value: t.Value ?? '' }));
}

export function sendQueryResult(
  res: ServerResponse,
  requestId: string,
  action: string,
  result: Record<string, unknown> | undefined,
  xmlns: string,
): void {
  const text = toXml({
    [`${action}Response`]: {
      '@_xmlns': xmlns,
      ...(result === undefined ? {} : { [`${action}Result`]: result }),
      ResponseMetadata: { RequestId: requestId },
    },
  });
  res.writeHead(200, { 'content-type': 'text/xml', 'content-length': Buffer.byteLength(text), 'x-amzn-requestid': requestId });
  res.end(text);
}

export function sendQueryError(res: ServerResponse, requestId: string, error: AwsError, xmlns: string): void {
  const text = toXml({
    ErrorResponse: {
      '@_xmlns': xmlns,
      Error: { Type: error.fault, Code: error.extra.queryCode ?? error.code, Message: error.message },
      RequestId: requestId,
    },
  });
  res.writeHead(error.status, { 'content-type': 'text/xml', 'content-length': Buffer.byteLength(text), 'x-amzn-requestid': requestId });
  res.end(text);
}
