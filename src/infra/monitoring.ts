import { Duration } from 'aws-cdk-lib/core';
import {
  Alarm,
  ComparisonOperator,
  MathExpression,
  Metric,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { Subscription, SubscriptionProtocol, Topic } from 'aws-cdk-lib/aws-sns';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import type { StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { METRIC, NOTIFIER_SERVICE_NAME, SERVICE_NAME, bigFileStateMachineName, metricsNamespace } from '../handlers/contract.js';

export interface MonitoringProps {
  readonly envName: string;
  readonly fn: LambdaFunction;
  readonly deadLetterQueue: Queue;
  /** The webhook notifier: an alarm on deliveries it gave up on. */
  readonly notifier?: LambdaFunction;
  /** The big-file state machine: an alarm on runs that ended without recording the file's outcome. */
  readonly bigFileStateMachine?: StateMachine;
  /** Where alarm notifications go by e-mail, if anywhere. */
  readonly alarmEmail?: string;
}

const FIVE_MINUTES = Duration.minutes(5);

/** Alarms on the processor and the DLQ, all notifying one SNS topic. */
export class Monitoring extends Construct {
  readonly topic: Topic;
  readonly alarms: Alarm[] = [];
  readonly emailSubscription?: Subscription;

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    this.topic = new Topic(this, 'AlarmTopic', {
      topicName: `tap-${props.envName}-alarms`,
      displayName: `tap ${props.envName} alarms`,
      enforceSSL: true,
    });
    if (props.alarmEmail) {
      this.emailSubscription = new Subscription(this, 'AlarmEmail', {
        topic: this.topic,
        protocol: SubscriptionProtocol.EMAIL,
        endpoint: props.alarmEmail,
      });
    }

    const prefix = `tap-${props.envName}`;
    this.add('ProcessorErrors', {
      alarmName: `${prefix}-processor-errors`,
      alarmDescription: 'The processor function threw at least once in 5 minutes.',
      metric: props.fn.metricErrors({ period: FIVE_MINUTES, statistic: 'Sum' }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    });
    this.add('ProcessorSlow', {
      alarmName: `${prefix}-processor-slow`,
      alarmDescription: 'Average processor duration above 30 s for two 5-minute periods.',
      metric: props.fn.metricDuration({ period: FIVE_MINUTES, statistic: 'Average' }),
      threshold: 30_000,
      evaluationPeriods: 2,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
    });
    this.add('FailureRate', {
      alarmName: `${prefix}-file-failure-rate`,
      alarmDescription: 'More than 5 % of files failed processing in 5 minutes.',
      metric: this.failureRate(props.envName),
      threshold: 5,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
    });
    this.add('DeadLetters', {
      alarmName: `${prefix}-dlq-not-empty`,
      alarmDescription: 'Messages are waiting in the dead-letter queue: run `tap dlq list`.',
      metric: props.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
        period: FIVE_MINUTES,
        statistic: 'Maximum',
      }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    });
    if (props.bigFileStateMachine) {
      this.add('BigFileRunsFailed', {
        alarmName: `${prefix}-big-file-runs-failed`,
        alarmDescription:
          `A run of the big-file state machine (${bigFileStateMachineName(props.envName)}) ended without recording its file's outcome (failed, timed out or aborted), so that file stays PROCESSING. ` +
          "The execution's input names the file; `tap logs --file KEY` shows why; upload the file again to run it again.",
        metric: this.bigFileRunsFailed(props.bigFileStateMachine),
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      });
    }
    if (props.notifier) {
      this.add('DeliveriesFailed', {
        alarmName: `${prefix}-deliveries-failed`,
        alarmDescription: 'A file outcome could not be delivered to the webhook after every attempt: run `tap deliveries --failed`.',
        metric: new Metric({
          namespace: metricsNamespace(props.envName),
          metricName: METRIC.deliveriesFailed,
          dimensionsMap: { service: NOTIFIER_SERVICE_NAME },
          statistic: 'Sum',
          period: FIVE_MINUTES,
        }),
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      });
    }
  }

  /**
   * Big-file runs that failed, timed out or were aborted, summed. None of them is a file's ordinary
   * FAILED outcome: Finish records that and the run then succeeds (big-file.ts, 'Outcome recorded'),
   * and a failed Prepare or map run is caught into Finish too. What is left is a run whose Finish
   * never wrote the row (it failed after its retries, the execution timed out or was stopped), so the
   * file stays PROCESSING and no DLQ message was sent: someone has to look. FILL(…, 0) because a
   * metric with no data in a period would otherwise leave the sum without a value.
   */
  private bigFileRunsFailed(machine: StateMachine): MathExpression {
    const options = { period: FIVE_MINUTES, statistic: 'Sum' };
    return new MathExpression({
      label: 'Big-file runs failed, timed out or aborted',
      expression: 'FILL(failed, 0) + FILL(timedOut, 0) + FILL(aborted, 0)',
      usingMetrics: { failed: machine.metricFailed(options), timedOut: machine.metricTimedOut(options), aborted: machine.metricAborted(options) },
      period: FIVE_MINUTES,
    });
  }

  /** Percent of files that failed; 0 when no file was processed (instead of no data). */
  private failureRate(envName: string): MathExpression {
    const metric = (metricName: string) =>
      new Metric({
        namespace: metricsNamespace(envName),
        metricName,
        dimensionsMap: { service: SERVICE_NAME },
        statistic: 'Sum',
        period: FIVE_MINUTES,
      });
    return new MathExpression({
      label: 'File failure rate (%)',
      expression: 'IF((ok + failed) > 0, 100 * failed / (ok + failed), 0)',
      usingMetrics: { ok: metric(METRIC.filesProcessed), failed: metric(METRIC.filesFailed) },
      period: FIVE_MINUTES,
    });
  }

  private add(id: string, props: ConstructorParameters<typeof Alarm>[2]): void {
    const alarm = new Alarm(this, id, { treatMissingData: TreatMissingData.NOT_BREACHING, ...props });
    alarm.addAlarmAction(new SnsAction(this.topic));
    this.alarms.push(alarm);
  }
}
