/**
 * CDK assertions on the change-events part of the stack (infra/events/): the Changes table's stream,
 * the bus, the dead-letter queue, the event source mapping of the identity-events function and its
 * least-privilege grants. Bundling skipped, as in stack.test.ts.
 */
import { App, type CfnResource } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { IdentityStack, type IdentityStackProps } from '../../infra/identity-stack';
import { FUNCTIONS, type FunctionName } from '../../lib/routes';

type Resource = { Type: string; Properties: Record<string, any> };

function synth(props: Omit<IdentityStackProps, 'env'> = {}) {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new IdentityStack(app, 'EventsTest', { env: { account: '123456789012', region: 'eu-west-1' }, ...props });
  const template = Template.fromStack(stack);
  const resources = template.toJSON().Resources as Record<string, Resource>;
  const id = (construct: { node: { defaultChild?: unknown } }) =>
    stack.getLogicalId(construct.node.defaultChild as CfnResource);
  return { stack, template, resources, id };
}

const base = synth();
const clear = synth({ eventContactValues: 'clear' });

/** Every statement of the IAM policies attached to a function's role. */
function statements(s: ReturnType<typeof synth>, fn: FunctionName): Record<string, any>[] {
  const roleId = s.id(s.stack.functions[fn].function.role!);
  return Object.values(s.resources)
    .filter((r) => r.Type === 'AWS::IAM::Policy' && (r.Properties.Roles as { Ref: string }[]).some((x) => x.Ref === roleId))
    .flatMap((r) => r.Properties.PolicyDocument.Statement as Record<string, any>[]);
}

describe('change events in the stack', () => {
  it('streams the Changes table with new and old images and expires its records by TTL', () => {
    const table = base.resources[base.id(base.stack.tables.changes)]!;
    expect(table.Properties).toMatchObject({
      StreamSpecification: { StreamViewType: 'NEW_AND_OLD_IMAGES' },
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      KeySchema: [
        { AttributeName: 'identityId', KeyType: 'HASH' },
        { AttributeName: 'version', KeyType: 'RANGE' },
      ],
    });
    // No other table has a stream.
    const streamed = Object.values(base.resources).filter((r) => r.Type === 'AWS::DynamoDB::Table' && r.Properties.StreamSpecification);
    expect(streamed).toHaveLength(1);
  });

  it('creates one event bus and an encrypted, TLS-only dead-letter queue', () => {
    base.template.resourceCountIs('AWS::Events::EventBus', 1);
    base.template.hasResourceProperties('AWS::Events::EventBus', { Name: 'EventsTest-identity-events' });
    base.template.resourceCountIs('AWS::SQS::Queue', 1);
    base.template.hasResourceProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true, MessageRetentionPeriod: 14 * 24 * 3600 });
    base.template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Action: 'sqs:*',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      },
    });
  });

  it('feeds the Changes stream to the identity-events function with partial batch responses, bisection, retries and the DLQ', () => {
    base.template.resourceCountIs('AWS::Lambda::EventSourceMapping', 1);
    const [mapping] = Object.values(base.resources).filter((r) => r.Type === 'AWS::Lambda::EventSourceMapping');
    expect(mapping!.Properties).toEqual({
      FunctionName: { Ref: base.id(base.stack.functions.identityEvents.function) },
      EventSourceArn: { 'Fn::GetAtt': [base.id(base.stack.tables.changes), 'StreamArn'] },
      StartingPosition: 'TRIM_HORIZON',
      BatchSize: 100,
      MaximumBatchingWindowInSeconds: 1,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BisectBatchOnFunctionError: true,
      MaximumRetryAttempts: 10,
      MaximumRecordAgeInSeconds: 86_400,
      ParallelizationFactor: 1,
      DestinationConfig: {
        OnFailure: { Destination: { 'Fn::GetAtt': [base.id(base.stack.events.deadLetterQueue), 'Arn'] } },
      },
    });
  });

  it('lets the stream function publish to this bus only, read this stream only, and touch no table', () => {
    const fn = base.resources[base.id(base.stack.functions.identityEvents.function)]!;
    expect(fn.Properties.Environment.Variables).toMatchObject({
      EVENT_BUS_NAME: { Ref: base.id(base.stack.events.bus) },
    });
    expect(fn.Properties.Environment.Variables.CHANGES_TABLE).toBeUndefined();
    const streamArn = { 'Fn::GetAtt': [base.id(base.stack.tables.changes), 'StreamArn'] };
    const busArn = { 'Fn::GetAtt': [base.id(base.stack.events.bus), 'Arn'] };
    const queueArn = { 'Fn::GetAtt': [base.id(base.stack.events.deadLetterQueue), 'Arn'] };
    const grants = statements(base, 'identityEvents').flatMap((st) =>
      [st.Action].flat().flatMap((action: string) => [st.Resource].flat().map((resource: unknown) => ({ action, resource }))),
    );
    for (const { action, resource } of grants) {
      expect(action, 'no wildcard actions').not.toContain('*');
      if (action === 'events:PutEvents') expect(resource).toEqual(busArn);
      else if (action === 'dynamodb:ListStreams') expect(resource).toBe('*'); // no resource-level permission exists
      else if (action.startsWith('dynamodb:')) expect(resource, action).toEqual(streamArn);
      else if (action.startsWith('sqs:')) expect(resource, action).toEqual(queueArn);
      else if (!action.startsWith('xray:')) throw new Error(`unexpected grant ${action}`);
    }
    const actions = new Set(grants.map((g) => g.action));
    expect([...actions].filter((a) => a.startsWith('dynamodb:')).sort()).toEqual([
      'dynamodb:DescribeStream',
      'dynamodb:GetRecords',
      'dynamodb:GetShardIterator',
      'dynamodb:ListStreams',
    ]);
    expect(actions.has('events:PutEvents')).toBe(true);
    expect(actions.has('sqs:SendMessage')).toBe(true);
  });

  it('gives no other function PutEvents, and lets the writers put change records only', () => {
    for (const name of (Object.keys(FUNCTIONS) as FunctionName[]).filter((n) => n !== 'identityEvents')) {
      const actions = statements(base, name).flatMap((st) => [st.Action].flat());
      expect(actions.some((a: string) => a.startsWith('events:')), name).toBe(false);
      expect(FUNCTIONS[name].tables.changes ?? [], name).toEqual(
        ['identify', 'adminMerge', 'adminErase', 'checkout'].includes(name) ? ['dynamodb:PutItem'] : [],
      );
    }
  });

  it('hashes contact values in events unless eventContactValues is clear', () => {
    for (const name of ['identify', 'adminMerge', 'adminErase', 'checkout'] as const) {
      const variables = (s: ReturnType<typeof synth>) =>
        s.resources[s.id(s.stack.functions[name].function)]!.Properties.Environment.Variables;
      expect(variables(base).EVENT_CONTACT_VALUES, name).toBe('hashed');
      expect(variables(clear).EVENT_CONTACT_VALUES, name).toBe('clear');
    }
  });
});
