/**
 * Production operations of the stack: an encrypted SNS topic for alarm notifications (an email
 * subscription only when `alarmEmail` is given), the alarms (alarms-construct.ts, thresholds in
 * thresholds.ts) and one dashboard (dashboard-construct.ts). It receives the service's constructs
 * (functions, HTTP API, tables) and reads their metrics; it creates no table, function or route.
 *
 * The topic is encrypted with a customer managed KMS key, not the AWS managed `alias/aws/sns`:
 * CloudWatch alarms can only publish to an encrypted topic whose key policy lets
 * cloudwatch.amazonaws.com use the key, and the policy of an AWS managed key cannot be changed.
 */
import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { Topic } from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { FUNCTIONS } from '../../lib/routes';
import { AlarmsConstruct } from './alarms-construct';
import { DashboardConstruct } from './dashboard-construct';
import { operationsByTable } from './operations';

export { THRESHOLDS } from './thresholds';
export * from './metric-names';

export interface MonitoringProps {
  api: HttpApi;
  /** The service's functions by name. */
  functions: Record<string, LambdaFunction>;
  /** The service's tables by key (lib/tables.ts). */
  tables: Record<string, ITable>;
  /** Address subscribed to the alarm topic (it must confirm the subscription). @default no subscription */
  alarmEmail?: string;
  /** The change events (infra/events/): their dead-letter queue and the stream function. @default not monitored */
  events?: ChangeEventsMonitoring;
}

export interface ChangeEventsMonitoring {
  deadLetterQueue: IQueue;
  /** The function the Changes stream triggers (its IteratorAge is the events' lag). */
  streamFunction: LambdaFunction;
}

export class Monitoring extends Construct {
  readonly topic: Topic;
  readonly topicKey: Key;
  readonly alarms: AlarmsConstruct;
  readonly dashboard: DashboardConstruct;

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    const stack = Stack.of(this);

    this.topicKey = new Key(this, 'AlarmTopicKey', {
      description: `Encrypts the alarm topic of ${stack.stackName}`,
      enableKeyRotation: true,
      // Holds no data at rest (SNS messages are transient), so nothing is lost with the stack.
      removalPolicy: RemovalPolicy.DESTROY,
      pendingWindow: Duration.days(7),
    });
    const cloudwatch = new ServicePrincipal('cloudwatch.amazonaws.com');
    this.topicKey.addToResourcePolicy(
      new PolicyStatement({
        sid: 'CloudWatchAlarmsPublishToTheEncryptedTopic',
        principals: [cloudwatch],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
      }),
    );
    this.topic = new Topic(this, 'AlarmTopic', {
      displayName: `${stack.stackName} alarms`,
      masterKey: this.topicKey,
      enforceSSL: true,
    });
    // The topic gets an explicit policy (enforceSSL), which replaces SNS's default one: let the
    // account's own alarms publish.
    this.topic.addToResourcePolicy(
      new PolicyStatement({
        sid: 'CloudWatchAlarmsOfThisAccountPublish',
        principals: [cloudwatch],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: {
          StringEquals: { 'aws:SourceAccount': stack.account },
          ArnLike: { 'aws:SourceArn': `arn:${stack.partition}:cloudwatch:${stack.region}:${stack.account}:alarm:*` },
        },
      }),
    );
    if (props.alarmEmail) this.topic.addSubscription(new EmailSubscription(props.alarmEmail));

    const tableOperations = operationsByTable(FUNCTIONS);
    this.alarms = new AlarmsConstruct(this, 'Alarms', {
      topic: this.topic,
      api: props.api,
      functions: props.functions,
      tables: props.tables,
      tableOperations,
      events: props.events,
    });
    this.dashboard = new DashboardConstruct(this, 'Dashboard', {
      api: props.api,
      functions: props.functions,
      tables: props.tables,
      tableOperations,
      events: props.events,
      alarms: Object.values(this.alarms.alarms),
    });
  }
}
