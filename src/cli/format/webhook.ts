/** Results of `tap webhook …` and `tap deliveries …`, as text or JSON. Pure. */
import type { DeliveriesResult, RetryResult } from '../../ops/deliveries.js';
import type { ListenResult, ReceivedDelivery, SecretResult } from '../../ops/webhook.js';
import { deliveryLine } from './status.js';
import type { Style } from './style.js';
import { cut, shortTime, table } from './table.js';

export function formatReceived(d: ReceivedDelivery, options: { json: boolean; style: Style }): string {
  // One JSON document per line: a script can read the stream as NDJSON.
  if (options.json) return JSON.stringify(d);
  const { green, red, dim } = options.style;
  const mark = d.verified ? green(`verified${d.key === 'previous' ? ' (previous key)' : ''}`) : red(`BAD SIGNATURE: ${d.problem}`);
  const body = d.body as Partial<Record<string, unknown>> | undefined;
  const what = body && typeof body === 'object' ? `${String(body['key'])} ${String(body['status'])} (${String(body['recordsProcessed'])} processed, ${String(body['recordsRejected'])} rejected)` : cut(String(d.body), 80);
  return `${shortTime(d.receivedAt)} ${d.method} ${d.path} ${mark} → ${d.answered}\n  ${what}${d.deliveryId ? dim(`  id ${d.deliveryId}`) : ''}`;
}

export function formatListen(result: ListenResult): string {
  const restored = result.restored === undefined ? '' : result.restored === null ? ' The webhook is off again.' : ` The webhook is ${result.restored} again.`;
  return `Stopped: ${result.received} received, ${result.verified} verified.${restored}`;
}

export function formatSecret(result: SecretResult, options: { json: boolean }): string {
  if (options.json) return JSON.stringify(result, null, 2);
  return [
    result.rotated ? `Rotated: a new signing key is current (version ${result.versionId}); deliveries use it within seconds. Give it to the partner.` : `The webhook signing key of this environment:`,
    ...table([
      ['Secret:', result.name],
      ['ARN:', result.arn],
      ['Version:', `${result.versionId} (AWSCURRENT)`],
      ...(result.lastChangedDate ? [['Changed:', shortTime(result.lastChangedDate)]] : []),
    ]),
    `  Read it (tap never prints it): ${result.readCommand}`,
  ].join('\n');
}

export function formatDeliveries(result: DeliveriesResult, options: { json: boolean; style: Style }): string {
  if (options.json) return JSON.stringify(result, null, 2);
  const { dim } = options.style;
  if (!result.runs.length) return `No deliveries of files uploaded since ${shortTime(result.since)}.`;
  const colour = (s: string) => (s === 'DELIVERED' ? options.style.green(s) : s === 'FAILED' ? options.style.red(s) : options.style.yellow(s));
  return [
    ...table([
      ['UPLOADED', 'FILE', 'OUTCOME', 'DELIVERY', 'ATTEMPTS', 'HTTP', 'LAST ATTEMPT', 'ERROR'].map(dim),
      ...result.runs.map((r) => [
        shortTime(r.uploadedAt),
        cut(r.key, 40),
        r.status,
        colour(r.delivery.status),
        String(r.delivery.attempts),
        r.delivery.httpStatus === undefined ? '-' : String(r.delivery.httpStatus),
        r.delivery.at ? shortTime(r.delivery.at) : '-',
        cut(r.delivery.error, 40),
      ]),
    ]),
    ...(result.more ? [dim(`  (newest ${result.runs.length}; more with --limit)`)] : []),
  ].join('\n');
}

export function formatRetry(result: RetryResult, options: { json: boolean; style: Style }): string {
  if (options.json) return JSON.stringify(result, null, 2);
  const delivery = result.run?.delivery;
  const line = delivery && delivery.id === result.executionName ? deliveryLine(delivery, options.style, result.key) : `  The delivery execution ended ${result.executionStatus} without a delivery (no webhook configured?).`;
  return [`${result.key}: delivery ${result.executionName} ${result.executionStatus === 'RUNNING' ? 'still running (stopped following)' : result.executionStatus}`, line].join('\n');
}
