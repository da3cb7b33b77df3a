/**
 * The one CloudWatch dashboard of a stage, `<stack>-operations`: API request rate, latency
 * percentiles and error rates; per function errors, throttles and duration; the service's own
 * metrics (503s by code, business counters, merge sizes); DynamoDB consumed capacity and throttles
 * per table; the change events (published, failed batches, dead-letter queue depth, stream
 * iterator age); the state of every alarm. Reads metrics from the constructs; no alarm is created here.
 */
import { Duration, Stack } from 'aws-cdk-lib';
import type { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import {
  AlarmStatusWidget,
  Dashboard,
  GraphWidget,
  MathExpression,
  TextWidget,
  type IAlarm,
  type IMetric,
} from 'aws-cdk-lib/aws-cloudwatch';
import type { ITable, Operation } from 'aws-cdk-lib/aws-dynamodb';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { serviceMetric } from './alarms-construct';
import type { ChangeEventsMonitoring } from './index';
import { BUSINESS_COUNT_METRICS, EVENT_METRICS, MERGE_SIZE_METRIC, UNAVAILABLE_METRICS } from './metric-names';

export interface DashboardConstructProps {
  api: HttpApi;
  functions: Record<string, LambdaFunction>;
  tables: Record<string, ITable>;
  tableOperations: Record<string, Operation[]>;
  events?: ChangeEventsMonitoring;
  alarms: IAlarm[];
}

const PERIOD = Duration.minutes(1);
const WIDTH = 8;
const HEIGHT = 6;

export class DashboardConstruct extends Construct {
  readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, props: DashboardConstructProps) {
    super(scope, id);
    const { api } = props;
    const functions = Object.entries(props.functions);
    const tables = Object.entries(props.tables);
    const graph = (title: string, left: IMetric[], right: IMetric[] = []) =>
      new GraphWidget({ title, left, right, width: WIDTH, height: HEIGHT, period: PERIOD });
    const rate = (label: string, id: string, errors: IMetric) =>
      new MathExpression({
        expression: `IF(requests > 0, 100 * ${id} / requests, 0)`,
        usingMetrics: { [id]: errors, requests: api.metricCount({ period: PERIOD, statistic: 'Sum' }) },
        label,
        period: PERIOD,
      });

    this.dashboard = new Dashboard(this, 'Dashboard', {
      dashboardName: `${Stack.of(this).stackName}-operations`,
      defaultInterval: Duration.hours(3),
    });
    this.dashboard.addWidgets(
      new TextWidget({
        markdown: `# ${Stack.of(this).stackName}\nAlarms and what to do: README, section "Runbook".`,
        width: 24,
        height: 1,
      }),
    );
    this.dashboard.addWidgets(
      graph('API requests per minute', [api.metricCount({ period: PERIOD, statistic: 'Sum', label: 'requests' })]),
      graph('API latency (ms)', ['p50', 'p90', 'p99'].map((statistic) =>
        api.metricLatency({ period: PERIOD, statistic, label: `latency ${statistic}` })),
        [api.metricIntegrationLatency({ period: PERIOD, statistic: 'p99', label: 'integration p99' })]),
      graph('API error rates (%)', [
        rate('4xx %', 'clientErrors', api.metricClientError({ period: PERIOD, statistic: 'Sum' })),
        rate('5xx %', 'serverErrors', api.metricServerError({ period: PERIOD, statistic: 'Sum' })),
      ]),
    );
    this.dashboard.addWidgets(
      graph('Lambda errors', functions.map(([name, fn]) => fn.metricErrors({ period: PERIOD, statistic: 'Sum', label: name }))),
      graph('Lambda throttles', functions.map(([name, fn]) => fn.metricThrottles({ period: PERIOD, statistic: 'Sum', label: name }))),
      graph('Lambda duration p99 (ms)', functions.map(([name, fn]) => fn.metricDuration({ period: PERIOD, statistic: 'p99', label: name }))),
    );
    this.dashboard.addWidgets(
      graph('503 answers by code', Object.values(UNAVAILABLE_METRICS).map((name) =>
        serviceMetric(name, { periodMinutes: 1 }))),
      graph('Identity events', BUSINESS_COUNT_METRICS.map((name) => serviceMetric(name, { periodMinutes: 1 }))),
      graph('Merge size (contacts)', [
        serviceMetric(MERGE_SIZE_METRIC, { periodMinutes: 1 }, 'Average'),
        serviceMetric(MERGE_SIZE_METRIC, { periodMinutes: 1 }, 'Maximum'),
      ]),
    );
    this.dashboard.addWidgets(
      graph('DynamoDB consumed read capacity', tables.map(([key, table]) =>
        table.metricConsumedReadCapacityUnits({ period: PERIOD, statistic: 'Sum', label: key }))),
      graph('DynamoDB consumed write capacity', tables.map(([key, table]) =>
        table.metricConsumedWriteCapacityUnits({ period: PERIOD, statistic: 'Sum', label: key }))),
      graph('DynamoDB throttled requests', tables
        .filter(([key]) => (props.tableOperations[key] ?? []).length > 0)
        .map(([key, table]) => summedOverOperations(table, key, 'ThrottledRequests', props.tableOperations[key]!))),
    );
    const events = props.events;
    this.dashboard.addWidgets(
      graph('Change events', EVENT_METRICS.map((name) => serviceMetric(name, { periodMinutes: 1 })),
        events ? [events.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: PERIOD, statistic: 'Maximum', label: 'dead-letter queue' })] : []),
      ...(events
        ? [graph('Changes stream iterator age (ms)', [
          events.streamFunction.metric('IteratorAge', { period: PERIOD, statistic: 'Maximum', label: 'identity-events max' }),
        ])]
        : []),
    );
    this.dashboard.addWidgets(
      new AlarmStatusWidget({ title: 'Alarms', alarms: props.alarms, width: 24, height: 6 }),
    );
  }
}

/**
 * A table metric summed over operations, labelled with the table's key. Built here rather than
 * with `metricThrottledRequestsForOperations` because that names its metrics by operation only,
 * and one graph cannot hold two tables' expressions with the same metric ids.
 */
function summedOverOperations(table: ITable, key: string, metricName: string, operations: Operation[]): IMetric {
  const usingMetrics = Object.fromEntries(
    operations.map((operation) => [
      `${key}${operation}`.replace(/^./, (c) => c.toLowerCase()),
      table.metric(metricName, {
        dimensionsMap: { TableName: table.tableName, Operation: operation },
        statistic: 'Sum',
        period: PERIOD,
      }),
    ]),
  );
  return new MathExpression({
    expression: Object.keys(usingMetrics).join(' + '),
    usingMetrics,
    label: key,
    period: PERIOD,
  });
}
