/**
 * Change events in AWS: the EventBridge bus the events go to, and the stream wiring of the
 * identity-events function (the Changes table's stream -> the function -> PutEvents on this bus).
 * Tables and functions stay at stack scope (infra/identity-stack.ts); this construct only adds to
 * them. It creates:
 * - `Bus`: an EventBridge event bus (consumers subscribe with rules on `source: fluxkart.identity`);
 * - `DeadLetterQueue`: an SQS queue (SSE with SQS-managed keys, TLS enforced, 14 days retention)
 *   that receives the description of a stream batch that failed every retry;
 * - a `DynamoEventSource` on the Changes stream: TRIM_HORIZON, batches of up to 100, partial batch
 *   responses (`reportBatchItemFailures`), `bisectBatchOnError`, `retryAttempts` (default 10),
 *   `maxRecordAge` 1 day (the stream's retention), on-failure destination the queue;
 * - grants: `events:PutEvents` on this bus only, stream reads on this stream only, SendMessage on
 *   the queue (all least privilege; the function gets no table access);
 * - `EVENT_CONTACT_VALUES` on the functions that write change records.
 */
import { Duration, Stack } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { EventBus } from 'aws-cdk-lib/aws-events';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { ContactValueMode } from '../../lib/events/change';

export interface IdentityEventsProps {
  /** The Changes table (lib/tables.ts `changes`), with its NEW_AND_OLD_IMAGES stream. */
  changesTable: ITable;
  /** The identity-events function (FUNCTIONS.identityEvents). */
  streamFunction: LambdaFunction;
  /** The functions that write change records: they get EVENT_CONTACT_VALUES. */
  writers: LambdaFunction[];
  /** `clear`: events carry emails and phone numbers in clear. @default 'hashed' */
  contactValues?: ContactValueMode;
  /** Retries of a failing batch before it goes to the dead-letter queue. @default 10 */
  retryAttempts?: number;
}

export class IdentityEvents extends Construct {
  readonly bus: EventBus;
  readonly deadLetterQueue: Queue;
  readonly source: DynamoEventSource;

  constructor(scope: Construct, id: string, props: IdentityEventsProps) {
    super(scope, id);
    this.bus = new EventBus(this, 'Bus', {
      eventBusName: `${Stack.of(this).stackName}-identity-events`,
      description: 'FluxKart identity change events (identity.created, contactAdded, merged, erased)',
    });
    this.deadLetterQueue = new Queue(this, 'DeadLetterQueue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    this.source = new DynamoEventSource(props.changesTable, {
      startingPosition: StartingPosition.TRIM_HORIZON,
      batchSize: 100,
      maxBatchingWindow: Duration.seconds(1),
      reportBatchItemFailures: true,
      bisectBatchOnError: true,
      retryAttempts: props.retryAttempts ?? 10,
      maxRecordAge: Duration.days(1),
      parallelizationFactor: 1,
      onFailure: new SqsDlq(this.deadLetterQueue),
    });
    props.streamFunction.addEventSource(this.source);
    props.streamFunction.addEnvironment('EVENT_BUS_NAME', this.bus.eventBusName);
    // PutEvents on this bus only (grantPutEventsTo would do the same; spelled out for the reader).
    props.streamFunction.addToRolePolicy(
      new PolicyStatement({ actions: ['events:PutEvents'], resources: [this.bus.eventBusArn] }),
    );
    for (const writer of props.writers) writer.addEnvironment('EVENT_CONTACT_VALUES', props.contactValues ?? 'hashed');
  }
}
