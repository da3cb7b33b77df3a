/**
 * CDK assertions for infra/monitoring: every alarm exists once with the threshold, periods and
 * datapoints of infra/monitoring/thresholds.ts and the topic as its alarm and OK action; the metrics
 * are the constructs' own (API id, function names, table names) and the service's custom metrics
 * (namespace, `service` dimension); the topic is KMS-encrypted and SSL-only, and CloudWatch may use
 * it; an email subscription exists only with alarmEmail; one dashboard shows the expected metrics.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FUNCTIONS, type FunctionName } from '../../lib/routes';
import { TABLE_KEYS } from '../../lib/tables';
import {
  BUSINESS_COUNT_METRICS,
  CUSTOM_METRIC_NAMES,
  MERGE_SIZE_METRIC,
  METRICS_NAMESPACE,
  SERVICE_DIMENSION,
  THRESHOLDS,
} from '../../infra/monitoring';
import { operationsByTable } from '../../infra/monitoring/operations';
import type { AlarmThreshold } from '../../infra/monitoring/thresholds';
import { ofType, ROOT, synthStack, type Resource } from './synth-app';

const base = synthStack();
const withEmail = synthStack({ alarmEmail: 'oncall@fluxkart.example' });
const FUNCTION_NAMES = Object.keys(FUNCTIONS) as FunctionName[];
const pascal = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
const idOf = (construct: { node: { defaultChild?: unknown } }) =>
  base.stack.getLogicalId(construct.node.defaultChild as never);

const alarms = ofType(base.resources, 'AWS::CloudWatch::Alarm');
function alarm(name: string): Resource {
  const found = alarms.filter(([, a]) => a.Properties.AlarmName === `OpsTest-${name}`);
  expect(found, `alarm OpsTest-${name}`).toHaveLength(1);
  return found[0]![1];
}

function expectThreshold(a: Resource, t: AlarmThreshold, threshold = t.threshold) {
  expect(a.Properties).toMatchObject({
    Threshold: threshold,
    EvaluationPeriods: t.evaluationPeriods,
    DatapointsToAlarm: t.datapointsToAlarm,
    ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    TreatMissingData: 'notBreaching',
  });
  const periods = a.Properties.Metrics
    ? (a.Properties.Metrics as { MetricStat?: { Period: number } }[]).flatMap((m) => (m.MetricStat ? [m.MetricStat.Period] : []))
    : [a.Properties.Period];
  expect(periods.length).toBeGreaterThan(0);
  for (const period of periods) expect(period).toBe(t.periodMinutes * 60);
}

const tableOperations = operationsByTable(FUNCTIONS);
const tablesWithOperations = TABLE_KEYS.filter((k) => tableOperations[k].length > 0);

describe('alarms', () => {
  it('has exactly the expected alarms, each sending alarm and OK notifications to the topic', () => {
    const expected = [
      'Api5xxRate',
      'ApiLatencyP99',
      ...FUNCTION_NAMES.flatMap((f) => ['Errors', 'Throttles', 'DurationNearTimeout'].map((k) => `${pascal(f)}${k}`)),
      ...tablesWithOperations.flatMap((t) => [`${pascal(t)}TableThrottledRequests`, `${pascal(t)}TableSystemErrors`]),
      'StorageUnavailable503',
      'Contention503',
      'ChangeEventsDeadLetter',
      'ChangeEventsIteratorAge',
    ];
    expect(alarms.map(([, a]) => a.Properties.AlarmName).sort()).toEqual(expected.map((n) => `OpsTest-${n}`).sort());
    const topic = { Ref: idOf(base.stack.monitoring.topic) };
    for (const [id, a] of alarms) {
      expect(a.Properties.AlarmActions, id).toEqual([topic]);
      expect(a.Properties.OKActions, id).toEqual([topic]);
      expect(a.Properties.AlarmDescription, id).toContain('Runbook');
    }
  });

  it('alarms on the API 5xx rate over the API own metrics, only with enough requests', () => {
    const a = alarm('Api5xxRate');
    expectThreshold(a, THRESHOLDS.api5xxRate);
    const metrics = a.Properties.Metrics as Record<string, any>[];
    expect(metrics.find((m) => m.ReturnData !== false)!.Expression).toBe(
      `IF(requests >= ${THRESHOLDS.api5xxRate.minRequests}, 100 * errors / requests, 0)`,
    );
    const byId = Object.fromEntries(metrics.filter((m) => m.MetricStat).map((m) => [m.Id, m.MetricStat.Metric]));
    expect(byId.errors).toEqual({ Namespace: 'AWS/ApiGateway', MetricName: '5xx', Dimensions: [{ Name: 'ApiId', Value: { Ref: idOf(base.stack.api) } }] });
    expect(byId.requests).toMatchObject({ Namespace: 'AWS/ApiGateway', MetricName: 'Count' });
  });

  it('alarms on the API p99 latency', () => {
    const a = alarm('ApiLatencyP99');
    expectThreshold(a, THRESHOLDS.apiLatencyP99);
    expect(a.Properties).toMatchObject({ Namespace: 'AWS/ApiGateway', MetricName: 'Latency', ExtendedStatistic: 'p99' });
  });

  it('alarms per function on errors, throttles and a maximum duration near its timeout', () => {
    for (const name of FUNCTION_NAMES) {
      const fn = base.stack.functions[name].function;
      const dimensions = [{ Name: 'FunctionName', Value: { Ref: idOf(fn) } }];
      const errors = alarm(`${pascal(name)}Errors`);
      expectThreshold(errors, THRESHOLDS.lambdaErrors);
      expect(errors.Properties).toMatchObject({ Namespace: 'AWS/Lambda', MetricName: 'Errors', Statistic: 'Sum', Dimensions: dimensions });
      const throttles = alarm(`${pascal(name)}Throttles`);
      expectThreshold(throttles, THRESHOLDS.lambdaThrottles);
      expect(throttles.Properties).toMatchObject({ MetricName: 'Throttles', Statistic: 'Sum', Dimensions: dimensions });
      const duration = alarm(`${pascal(name)}DurationNearTimeout`);
      const timeoutMs = fn.timeout!.toMilliseconds();
      expect(timeoutMs).toBe(10_000);
      expectThreshold(duration, THRESHOLDS.lambdaDurationOfTimeout, Math.round(THRESHOLDS.lambdaDurationOfTimeout.threshold * timeoutMs));
      expect(duration.Properties).toMatchObject({ MetricName: 'Duration', Statistic: 'Maximum', Dimensions: dimensions });
    }
  });

  it('alarms per table on throttled requests and system errors, summed over the operations the service uses', () => {
    expect(tablesWithOperations).toEqual(TABLE_KEYS);
    for (const key of TABLE_KEYS) {
      for (const [suffix, metricName, t] of [
        ['TableThrottledRequests', 'ThrottledRequests', THRESHOLDS.dynamoThrottledRequests],
        ['TableSystemErrors', 'SystemErrors', THRESHOLDS.dynamoSystemErrors],
      ] as const) {
        const a = alarm(`${pascal(key)}${suffix}`);
        expectThreshold(a, t);
        const stats = (a.Properties.Metrics as Record<string, any>[]).filter((m) => m.MetricStat).map((m) => m.MetricStat.Metric);
        expect(stats.map((m) => m.MetricName)).toEqual(stats.map(() => metricName));
        const operations = stats.map((m) => (m.Dimensions as { Name: string; Value: unknown }[]).find((d) => d.Name === 'Operation')!.Value);
        expect(operations.sort(), key).toEqual([...tableOperations[key]].sort());
        for (const m of stats) {
          expect(m.Dimensions).toContainEqual({ Name: 'TableName', Value: { Ref: idOf(base.stack.tables[key] as never) } });
        }
      }
    }
    // Transactions are counted under their own operation; the identify path uses them on the claims.
    expect(tableOperations.contacts).toEqual(expect.arrayContaining(['BatchGetItem', 'TransactWriteItems']));
    expect(tableOperations.emails).toContain('TransactWriteItems');
    for (const key of TABLE_KEYS) expect(tableOperations[key].length).toBeLessThanOrEqual(10);
  });

  it('alarms on the service own 503 metrics: storage_unavailable and contention', () => {
    for (const [name, metricName, t] of [
      ['StorageUnavailable503', 'StorageUnavailable', THRESHOLDS.storageUnavailable],
      ['Contention503', 'Contention', THRESHOLDS.contention],
    ] as const) {
      const a = alarm(name);
      expectThreshold(a, t);
      expect(a.Properties).toMatchObject({
        Namespace: METRICS_NAMESPACE,
        MetricName: metricName,
        Statistic: 'Sum',
        Dimensions: [{ Name: 'service', Value: SERVICE_DIMENSION.service }],
      });
    }
    expect(METRICS_NAMESPACE).toBe('FluxKart/Identity');
    expect(SERVICE_DIMENSION).toEqual({ service: 'fluxkart-identity' });
  });

  it("alarms on the change events: any message in the dead-letter queue, and the stream's iterator age", () => {
    const dlq = alarm('ChangeEventsDeadLetter');
    expectThreshold(dlq, THRESHOLDS.eventsDeadLetter);
    expect(THRESHOLDS.eventsDeadLetter.threshold).toBe(1); // > 0 messages
    expect(dlq.Properties).toMatchObject({
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Statistic: 'Maximum',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [idOf(base.stack.events.deadLetterQueue), 'QueueName'] } }],
    });
    const age = alarm('ChangeEventsIteratorAge');
    expectThreshold(age, THRESHOLDS.streamIteratorAge);
    expect(age.Properties).toMatchObject({
      Namespace: 'AWS/Lambda',
      MetricName: 'IteratorAge',
      Statistic: 'Maximum',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: idOf(base.stack.functions.identityEvents.function) } }],
    });
  });
});

describe('alarm topic', () => {
  it('is encrypted with a rotating customer managed key that CloudWatch may use, and refuses non-TLS publishing', () => {
    const topics = ofType(base.resources, 'AWS::SNS::Topic');
    expect(topics).toHaveLength(1);
    const keyId = idOf(base.stack.monitoring.topicKey);
    expect(topics[0]![1].Properties.KmsMasterKeyId).toEqual({ 'Fn::GetAtt': [keyId, 'Arn'] });
    const key = base.resources[keyId]!;
    expect(key.Properties.EnableKeyRotation).toBe(true);
    const keyStatements = key.Properties.KeyPolicy.Statement as Record<string, any>[];
    expect(keyStatements).toContainEqual(
      expect.objectContaining({
        Effect: 'Allow',
        Principal: { Service: 'cloudwatch.amazonaws.com' },
        Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      }),
    );
    const policies = ofType(base.resources, 'AWS::SNS::TopicPolicy');
    expect(policies).toHaveLength(1);
    const statements = policies[0]![1].Properties.PolicyDocument.Statement as Record<string, any>[];
    expect(statements).toContainEqual(
      expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
    );
    expect(statements).toContainEqual(
      expect.objectContaining({ Effect: 'Allow', Principal: { Service: 'cloudwatch.amazonaws.com' }, Action: 'sns:Publish' }),
    );
  });

  it('has an email subscription only when alarmEmail is given', () => {
    base.template.resourceCountIs('AWS::SNS::Subscription', 0);
    withEmail.template.resourceCountIs('AWS::SNS::Subscription', 1);
    withEmail.template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'oncall@fluxkart.example',
      TopicArn: { Ref: withEmail.stack.getLogicalId(withEmail.stack.monitoring.topic.node.defaultChild as never) },
    });
  });

  it('is an output of the stack, with the dashboard name', () => {
    const outputs = base.template.toJSON().Outputs as Record<string, { Value: unknown }>;
    expect(outputs.AlarmTopicArn!.Value).toEqual({ Ref: idOf(base.stack.monitoring.topic) });
    expect(outputs.DashboardName!.Value).toEqual({ Ref: idOf(base.stack.monitoring.dashboard.dashboard) });
  });
});

describe('dashboard', () => {
  it('is one dashboard with request rate, latency percentiles, error rates, custom metrics and consumed capacity', () => {
    const dashboards = ofType(base.resources, 'AWS::CloudWatch::Dashboard');
    expect(dashboards).toHaveLength(1);
    const dashboard = dashboards[0]![1];
    expect(dashboard.Properties.DashboardName).toBe('OpsTest-operations');
    const body = JSON.stringify(dashboard.Properties.DashboardBody);
    for (const text of [
      '\\"Count\\"',
      '\\"Latency\\"',
      '\\"stat\\":\\"p50\\"',
      '\\"stat\\":\\"p90\\"',
      '\\"stat\\":\\"p99\\"',
      '\\"4xx\\"',
      '\\"5xx\\"',
      '\\"Errors\\"',
      '\\"Throttles\\"',
      '\\"Duration\\"',
      '\\"ConsumedReadCapacityUnits\\"',
      '\\"ConsumedWriteCapacityUnits\\"',
      '\\"ThrottledRequests\\"',
      '\\"ApproximateNumberOfMessagesVisible\\"',
      '\\"IteratorAge\\"',
      '\\"EventPublished\\"',
      '\\"EventBatchFailed\\"',
      METRICS_NAMESPACE,
      ...CUSTOM_METRIC_NAMES.map((n) => `\\"${n}\\"`),
    ]) {
      expect(body, text).toContain(text);
    }
    expect(CUSTOM_METRIC_NAMES).toEqual(
      expect.arrayContaining(['StorageUnavailable', 'Contention', MERGE_SIZE_METRIC, ...BUSINESS_COUNT_METRICS]),
    );
    expect(BUSINESS_COUNT_METRICS).toEqual(['IdentityCreated', 'SecondaryAdded', 'Merge', 'RelinkFinished', 'Erasure', 'Conflict', 'CheckoutOrder']);
    // Every function (checkout included), every table's capacity and every alarm's state are on it.
    expect(FUNCTION_NAMES).toContain('checkout');
    for (const name of FUNCTION_NAMES) expect(body, name).toContain(`{\"Ref\":\"${idOf(base.stack.functions[name].function)}\"}`);
    for (const key of TABLE_KEYS) expect(body).toContain(`{\"Ref\":\"${idOf(base.stack.tables[key] as never)}\"}`);
    expect(body).toContain('\\"type\\":\\"alarm\\"');
    for (const [id] of alarms) expect(body, id).toContain(`{\"Fn::GetAtt\":[\"${id}\",\"Arn\"]}`);
  });
});

describe('runbook', () => {
  it('documents every alarm with the thresholds of thresholds.ts', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const runbook = readme.slice(readme.indexOf('## Runbook'));
    expect(runbook.length).toBeLessThan(readme.length);
    const t = THRESHOLDS;
    for (const text of [
      `| \`<stack>-Api5xxRate\` | ≥ ${t.api5xxRate.threshold}% of API requests answered 5xx in ${t.api5xxRate.datapointsToAlarm} of ${t.api5xxRate.evaluationPeriods} periods (periods under ${t.api5xxRate.minRequests} requests count as 0%)`,
      `| \`<stack>-ApiLatencyP99\` | p99 latency ≥ ${t.apiLatencyP99.threshold} ms for ${t.apiLatencyP99.evaluationPeriods} periods in a row`,
      `| \`<stack>-<Function>Errors\` | a function had ≥ ${t.lambdaErrors.threshold} invocation error in a period`,
      `| \`<stack>-<Function>Throttles\` | a function was throttled ≥ ${t.lambdaThrottles.threshold} time in a period`,
      `| \`<stack>-<Function>DurationNearTimeout\` | the slowest invocation took ≥ ${t.lambdaDurationOfTimeout.threshold * 100}% of the function's timeout (${t.lambdaDurationOfTimeout.threshold * 10} s of 10 s) in ${t.lambdaDurationOfTimeout.evaluationPeriods} periods`,
      `| \`<stack>-<Table>TableThrottledRequests\` | ≥ ${t.dynamoThrottledRequests.threshold} throttled DynamoDB requests on that table in each of ${t.dynamoThrottledRequests.evaluationPeriods} periods`,
      `| \`<stack>-<Table>TableSystemErrors\` | ≥ ${t.dynamoSystemErrors.threshold} DynamoDB internal errors (HTTP 500) on that table in a period`,
      `| \`<stack>-StorageUnavailable503\` | the service answered ≥ ${t.storageUnavailable.threshold} \`503 storage_unavailable\` in a period`,
      `| \`<stack>-Contention503\` | the service answered ≥ ${t.contention.threshold} \`503 contention\` in a period`,
      `| \`<stack>-ChangeEventsDeadLetter\` | the change events' dead-letter queue holds ≥ ${t.eventsDeadLetter.threshold} message`,
      `| \`<stack>-ChangeEventsIteratorAge\` | the identity-events function read a Changes stream record ≥ ${t.streamIteratorAge.threshold / 60_000} min (${t.streamIteratorAge.threshold} ms) old in ${t.streamIteratorAge.datapointsToAlarm} of ${t.streamIteratorAge.evaluationPeriods} periods`,
    ]) {
      expect(runbook, text).toContain(text);
    }
    for (const t of Object.values(THRESHOLDS)) expect(t.periodMinutes).toBe(5); // "5 min periods" in the runbook
  });
});
