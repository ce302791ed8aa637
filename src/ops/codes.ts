/**
 * The stable codes of progress events (as the CDK toolkit's IoMessage codes): what a script reads
 * from `--json` progress instead of the prose, which may change. A step's code is shared by its
 * `step`, `done` and `fail` events; the event's `type` says which. docs/progress-codes.md is
 * generated from this list (npm run docs:codes) and a test keeps the two the same.
 *
 * Add codes; never rename or reuse one.
 */
export const PROGRESS_CODES = {
  TAP_TARGET: 'info: where the command goes (AWS account and region, or an endpoint).',
  TAP_TARGET_LOCAL_FALLBACK: 'info: no AWS credentials were found, so the local AWS is used.',
  TAP_TARGET_REGION_UNKNOWN: 'warn: the region is not one tap knows (a new region, or a typo); the command goes on.',
  TAP_INTERRUPT: 'warn: Ctrl-C was pressed; the command stops at its next safe point.',
  TAP_SETTINGS_REUSED: 'info: deploy settings taken from the deployed stack rather than the command line.',

  TAP_SYNTH: 'step: synthesizing the stack (the template and the bundled handler).',
  TAP_SYNTH_REUSED: 'info: nothing that shapes the stack changed: the previous synthesis is reused.',
  TAP_SYNTH_NAG: 'step: checking the template against the security rules (cdk-nag).',

  TAP_DEPLOY_UNCHANGED: 'info: the deployed stack was built from the same inputs: nothing to do.',
  TAP_DEPLOY_ASSET_BUCKET: 'step: creating the asset bucket (first deploy to an account and region).',
  TAP_DEPLOY_ASSET_UPLOAD: 'step: uploading one asset (the handler bundle, the template).',
  TAP_DEPLOY_RECREATE: 'warn: a failed first deploy left the stack unusable: it is deleted to create it again.',
  TAP_DEPLOY_HOTSWAP_FALLBACK: 'info: --hotswap was asked, but more than function code changed: a full deploy follows.',
  TAP_DEPLOY_HOTSWAP_FUNCTION: "step: replacing one function's code directly (--hotswap).",
  TAP_DEPLOY_HOTSWAPPED: 'warn: the code was hotswapped; the stack now drifts from its template.',
  TAP_DEPLOY_CHANGE_SET: 'step: creating the change set and waiting for CloudFormation to work it out.',
  TAP_DEPLOY_EXECUTE: 'step: executing the change set and following the stack to the end.',
  TAP_STACK_EVENT: 'progress: one CloudFormation stack event; done/total count the resources.',

  TAP_DESTROY_ABSENT: 'info: the stack does not exist: nothing to destroy.',
  TAP_DESTROY_EMPTY_BUCKET: 'step: deleting every object version in the upload bucket.',
  TAP_DESTROY_OBJECTS_DELETED: 'progress: object versions deleted so far.',
  TAP_DESTROY_DELETE_STACK: 'step: deleting the stack and following it to the end.',

  TAP_PIPELINE_SAVED_OUTPUTS: "warn: CloudFormation could not be asked; the outputs saved by the last deploy are used.",
  TAP_UPLOAD_UNREADABLE_FORMAT: 'warn: a file of a format the processor does not read; it will be marked FAILED.',
  TAP_UPLOAD_GENERATED: 'info: a file of generated shipments was written for --generate.',
  TAP_UPLOAD_TRANSFER: "progress: bytes of one file sent so far (unit: 'bytes').",
  TAP_UPLOAD_API_PERMISSION: 'info: asking the API for a presigned upload (--via-api).',
  TAP_UPLOAD_DONE: 'done: one file uploaded; ms is how long it took.',
  TAP_WAIT_PIPELINE: 'progress: waiting for the pipeline; done/total count the files with an outcome.',
  TAP_WAIT_BIG_FILE: "progress: a big file's state machine run (phase, records written of total, batches failed); done/total count records.",

  TAP_STATUS_READ: 'step: reading what the pipeline recorded (the metadata table, similar keys).',
  TAP_SHIPMENT_READ: "step: reading one shipment's events (status events and proof-of-delivery photos).",
  TAP_SHIPMENT_SIMILAR: 'step: the shipment id is unknown: looking for close ones to suggest.',
  TAP_LOGS_GROUP_MISSING: "warn: a processor's log group does not exist yet (no invocation so far); --follow waits for it.",
  TAP_LOGS_FOLLOWING: 'info: --follow: new lines are printed as they arrive.',
  TAP_LOGS_NONE: 'info: no line matched in the time asked.',

  TAP_DLQ_EMPTY: 'info: the dead-letter queues (files, photos) are empty: nothing to purge.',
  TAP_DLQ_REDRIVE: 'progress: messages of one DLQ moved back to its source queue (ingest or pod) so far.',
  TAP_DLQ_SCAN: 'progress: messages looked at while searching the DLQ for a key.',
  TAP_DLQ_SCAN_LIMIT: 'warn: the search stopped at its limit; run again for the rest.',
  TAP_DLQ_FOLLOW_LIMIT: 'warn: more messages moved than --wait follows; the first ones are followed.',

  TAP_LOCAL_START: 'step: starting the local AWS in the background.',
  TAP_LOCAL_WAIT_BUSY: 'step: the recorded local AWS is alive but slow to answer; tap waits for it instead of starting another.',
  TAP_RUNTIME_PRESENT: 'info: the Node.js runtime asked for is installed already.',
  TAP_RUNTIME_INSTALL: 'step: installing a Node.js runtime for local functions (npm).',
  TAP_DEPLOY_RUNTIMES: 'info: local functions need Node.js runtimes the local AWS has not installed yet; it installs them.',
  TAP_DEPLOY_DEPRECATED_RUNTIME: 'warn: a function uses a runtime AWS has deprecated.',
  TAP_WEBHOOK_LISTENING: 'info: tap webhook listen is receiving deliveries at this URL.',
  TAP_WEBHOOK_KEY: "step: reading the environment's webhook signing key (Secrets Manager).",
  TAP_WEBHOOK_ROTATE: 'step: putting a new signing key version (--rotate).',
  TAP_DELIVERIES_READ: 'step: reading the recorded deliveries (the metadata table).',
  TAP_DELIVERY_START: 'step: starting a new delivery execution (tap deliveries retry).',
  TAP_DELIVERY_FOLLOW: 'step: following a delivery execution to its end.',
  TAP_API_STATUS: 'warn: the API answered with an HTTP error status.',
} as const;

export type ProgressCode = keyof typeof PROGRESS_CODES;

/** docs/progress-codes.md, from the list above. */
export function progressCodesMarkdown(): string {
  const rows = Object.entries(PROGRESS_CODES).map(([code, text]) => {
    const [type, ...rest] = text.split(': ');
    return `| \`${code}\` | ${type} | ${rest.join(': ')} |`;
  });
  return [
    '# Progress event codes',
    '',
    '<!-- Generated from src/ops/codes.ts by `npm run docs:codes`; test/unit/ops/codes.test.ts checks it. -->',
    '',
    'With `--json`, progress goes to stderr as NDJSON, one event a line:',
    '`{"type":"step","code":"TAP_SYNTH","message":"Synthesizing TapStack-dev","at":"…"}`.',
    'Scripts should read `code` and `type`; `message` is for people and may change.',
    'A step has one code for its `step`, `done` (with `ms`) and `fail` events; `progress` events',
    "carry `done` and `total` (and `unit: 'bytes'` for transfers). Codes are added, never renamed or reused.",
    '',
    '| code | type | meaning |',
    '| --- | --- | --- |',
    ...rows,
    '',
  ].join('\n');
}
