/**
 * The stack's CloudWatch alarms, each with its threshold from thresholds.ts and the topic as its
 * alarm and OK action: API 5xx rate and p99 latency; per function errors, throttles and duration
 * close to the timeout; per table throttled requests and system errors; the service's own
 * storage_unavailable / contention 503s (custom metrics, metric-names.ts); the change events'
 * dead-letter queue depth and stream iterator age. Alarm names are
 * `<stack>-<alarm id>` and are the ones the README's runbook lists. No dashboard here.
 */
import { Duration, Stack } from 'aws-cdk-lib';
import type { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import {
  Alarm,
  ComparisonOperator,
  MathExpression,
  Metric,
  TreatMissingData,
  type IMetric,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { ITable, Operation } from 'aws-cdk-lib/aws-dynamodb';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import type { ChangeEventsMonitoring } from './index';
import { METRICS_NAMESPACE, SERVICE_DIMENSION, UNAVAILABLE_METRICS } from './metric-names';
import { THRESHOLDS, type AlarmThreshold } from './thresholds';

export interface AlarmsConstructProps {
  topic: ITopic;
  api: HttpApi;
  /** The service's functions by name (lib/routes.ts FUNCTIONS). */
  functions: Record<string, LambdaFunction>;
  /** The service's tables by key, with the operations each one sees. */
  tables: Record<string, ITable>;
  tableOperations: Record<string, Operation[]>;
  /** The change events' queue and stream function. @default no events alarms */
  events?: ChangeEventsMonitoring;
}

export class AlarmsConstruct extends Construct {
  /** Every alarm, by construct id. */
  readonly alarms: Record<string, Alarm> = {};
  private readonly topic: ITopic;

  constructor(scope: Construct, id: string, props: AlarmsConstructProps) {
    super(scope, id);
    this.topic = props.topic;
    const { api } = props;

    const t5xx = THRESHOLDS.api5xxRate;
    const period = minutes(t5xx);
    this.add('Api5xxRate', t5xx, 'HTTP API: share of requests answered 5xx (percent), when there are enough requests',
      new MathExpression({
        expression: `IF(requests >= ${t5xx.minRequests}, 100 * errors / requests, 0)`,
        usingMetrics: {
          errors: api.metricServerError({ period, statistic: 'Sum' }),
          requests: api.metricCount({ period, statistic: 'Sum' }),
        },
        period,
        label: 'API 5xx rate (%)',
      }));
    this.add('ApiLatencyP99', THRESHOLDS.apiLatencyP99, 'HTTP API: p99 latency (ms)',
      api.metricLatency({ period: minutes(THRESHOLDS.apiLatencyP99), statistic: 'p99' }));

    for (const [name, fn] of Object.entries(props.functions)) {
      const label = pascal(name);
      this.add(`${label}Errors`, THRESHOLDS.lambdaErrors, `Lambda ${name}: invocation errors (crash, timeout, out of memory)`,
        fn.metricErrors({ period: minutes(THRESHOLDS.lambdaErrors), statistic: 'Sum' }));
      this.add(`${label}Throttles`, THRESHOLDS.lambdaThrottles, `Lambda ${name}: throttled invocations`,
        fn.metricThrottles({ period: minutes(THRESHOLDS.lambdaThrottles), statistic: 'Sum' }));
      const timeoutMs = (fn.timeout ?? Duration.seconds(3)).toMilliseconds();
      const near = THRESHOLDS.lambdaDurationOfTimeout;
      this.add(`${label}DurationNearTimeout`, { ...near, threshold: Math.round(near.threshold * timeoutMs) },
        `Lambda ${name}: maximum duration at ${near.threshold * 100}% of its ${timeoutMs} ms timeout`,
        fn.metricDuration({ period: minutes(near), statistic: 'Maximum' }));
    }

    for (const [key, table] of Object.entries(props.tables)) {
      const label = pascal(key);
      const operations = props.tableOperations[key] ?? [];
      if (operations.length === 0) continue;
      this.add(`${label}TableThrottledRequests`, THRESHOLDS.dynamoThrottledRequests,
        `DynamoDB ${key} table: throttled requests (${operations.join(', ')})`,
        table.metricThrottledRequestsForOperations({ operations, period: minutes(THRESHOLDS.dynamoThrottledRequests) }));
      this.add(`${label}TableSystemErrors`, THRESHOLDS.dynamoSystemErrors,
        `DynamoDB ${key} table: system errors (${operations.join(', ')})`,
        table.metricSystemErrorsForOperations({ operations, period: minutes(THRESHOLDS.dynamoSystemErrors) }));
    }

    this.add('StorageUnavailable503', THRESHOLDS.storageUnavailable,
      'The service answered 503 storage_unavailable (storage throttled or unavailable for the whole time budget)',
      serviceMetric(UNAVAILABLE_METRICS.storageUnavailable, THRESHOLDS.storageUnavailable));
    this.add('Contention503', THRESHOLDS.contention,
      'The service answered 503 contention (too many concurrent changes to one customer for the whole time budget)',
      serviceMetric(UNAVAILABLE_METRICS.contention, THRESHOLDS.contention));

    if (props.events) {
      const dlq = THRESHOLDS.eventsDeadLetter;
      this.add('ChangeEventsDeadLetter', dlq,
        'Change events: stream batches in the dead-letter queue (failed every retry, events not published)',
        props.events.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: minutes(dlq), statistic: 'Maximum' }));
      const age = THRESHOLDS.streamIteratorAge;
      this.add('ChangeEventsIteratorAge', age,
        'Change events: age (ms) of the last Changes stream record read by the identity-events function',
        props.events.streamFunction.metric('IteratorAge', { period: minutes(age), statistic: 'Maximum' }));
    }
  }

  private add(id: string, t: AlarmThreshold, description: string, metric: IMetric): void {
    const alarm = new Alarm(this, `${id}Alarm`, {
      alarmName: `${Stack.of(this).stackName}-${id}`,
      alarmDescription: `${description}. Threshold >= ${t.threshold}, ${t.datapointsToAlarm} of ${t.evaluationPeriods} periods of ${t.periodMinutes} min. Runbook: README "Alarms".`,
      metric,
      threshold: t.threshold,
      evaluationPeriods: t.evaluationPeriods,
      datapointsToAlarm: t.datapointsToAlarm,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    alarm.addAlarmAction(new SnsAction(this.topic));
    alarm.addOkAction(new SnsAction(this.topic));
    this.alarms[id] = alarm;
  }
}

/** One of the service's own metrics (Powertools EMF: namespace + `service` dimension), summed. */
export function serviceMetric(metricName: string, t: { periodMinutes: number }, statistic = 'Sum'): Metric {
  return new Metric({
    namespace: METRICS_NAMESPACE,
    metricName,
    dimensionsMap: { ...SERVICE_DIMENSION },
    statistic,
    period: minutes(t),
  });
}

function minutes(t: { periodMinutes: number }): Duration {
  return Duration.minutes(t.periodMinutes);
}

export function pascal(name: string): string {
  return name.charAt(0).toUpperCase() + name.slice(1);
}
