/**
 * A deployed environment has two pipelines side by side, each with its own queue, dead-letter queue
 * and processor log group: `files` (incoming/ → the file processor) and `photos` (pod/ → the pod
 * processor). `tap dlq` and `tap logs` work on both; a key names the one it belongs to. Pure.
 */
import { PREFIX } from '../handlers/contract.js';
import { UserError } from './errors.js';
import type { Pipeline } from './pipeline.js';

export type PipelineName = 'files' | 'photos';

export interface Lane {
  readonly pipeline: PipelineName;
  readonly queueUrl: string;
  readonly queueArn: string;
  readonly dlqUrl: string;
  readonly dlqArn: string;
  readonly logGroup: string;
}

/** The file pipeline, then the photo pipeline when the stack has one (stacks from before it do not). */
export function lanes(p: Pipeline): Lane[] {
  const files: Lane = { pipeline: 'files', queueUrl: p.queueUrl, queueArn: p.queueArn, dlqUrl: p.dlqUrl, dlqArn: p.dlqArn, logGroup: p.logGroup };
  const photos = photoLane(p);
  return photos ? [files, photos] : [files];
}

function photoLane(p: Pipeline): Lane | undefined {
  if (!p.podQueueUrl || !p.podQueueArn || !p.podDlqUrl || !p.podDlqArn || !p.podLogGroup) return undefined;
  return { pipeline: 'photos', queueUrl: p.podQueueUrl, queueArn: p.podQueueArn, dlqUrl: p.podDlqUrl, dlqArn: p.podDlqArn, logGroup: p.podLogGroup };
}

/** The pipeline that handles `key` (already normalised: incoming/… or pod/…). */
export function laneOf(p: Pipeline, key: string): Lane {
  if (!key.startsWith(PREFIX.pod)) return lanes(p)[0]!;
  const photos = photoLane(p);
  if (!photos) throw new UserError(`${p.stackName} has no photo pipeline outputs (it was deployed by an older tap), so ${key} has no queue to look in. Run tap deploy --env ${p.env} to update it.`);
  return photos;
}

/** The pipeline as the file-pipeline code sees it, with this lane's queues and log group in place. */
export function onLane(p: Pipeline, lane: Lane): Pipeline {
  return { ...p, queueUrl: lane.queueUrl, queueArn: lane.queueArn, dlqUrl: lane.dlqUrl, dlqArn: lane.dlqArn, logGroup: lane.logGroup };
}
