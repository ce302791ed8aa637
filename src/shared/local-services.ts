/**
 * The services the embedded local AWS runs, as people name them: the one list that `tap local --help`
 * prints and the README repeats (test/unit/local-services.test.ts holds both, and the emulator's own
 * services, to it). It lives outside src/local so that `tap --help` prints it without loading the emulator.
 */
export interface LocalServiceName {
  /** As the README and `--help` say it. */
  readonly name: string;
  /** The SigV4 signing names its emulated service(s) answer to (src/local/services). */
  readonly signingNames: readonly string[];
}

export const LOCAL_SERVICES: readonly LocalServiceName[] = [
  { name: 'S3', signingNames: ['s3'] },
  { name: 'SQS', signingNames: ['sqs'] },
  { name: 'DynamoDB', signingNames: ['dynamodb'] },
  { name: 'Lambda', signingNames: ['lambda'] },
  { name: 'API Gateway', signingNames: ['apigateway', 'execute-api'] },
  { name: 'CloudWatch Logs', signingNames: ['logs'] },
  { name: 'CloudFormation', signingNames: ['cloudformation'] },
  { name: 'IAM', signingNames: ['iam'] },
  { name: 'STS', signingNames: ['sts'] },
  { name: 'SNS', signingNames: ['sns'] },
  { name: 'CloudWatch alarms', signingNames: ['monitoring'] },
  { name: 'SSM', signingNames: ['ssm'] },
  { name: 'Secrets Manager', signingNames: ['secretsmanager'] },
  { name: 'Step Functions', signingNames: ['states'] },
];

/** `S3, SQS, …, Step Functions`: the list as one phrase. */
export const localServicesPhrase = (): string => LOCAL_SERVICES.map((s) => s.name).join(', ');
