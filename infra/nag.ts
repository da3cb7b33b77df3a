/**
 * cdk-nag (3.x, the AwsSolutions pack) for the app, and every finding the stack acknowledges,
 * each with its reason. A finding that is not acknowledged fails the synth (and
 * test/infra/nag.test.ts). Fix a finding when that is cheap and right; acknowledge it here only
 * with a reason a reviewer can check. Acknowledgements are also written into the template's
 * resource Metadata (`cdk_nag.rules_to_suppress`), the audit trail the test reads.
 */
import { Validations, type App } from 'aws-cdk-lib';
import { CfnRoute } from 'aws-cdk-lib/aws-apigatewayv2';
import { Table } from 'aws-cdk-lib/aws-dynamodb';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import type { IdentityStack } from './identity-stack';
import { STAGE_SETTINGS } from './stage';

/** Registers the AwsSolutions pack on the app: synth fails on any unacknowledged finding. */
export function addNagChecks(app: App): void {
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { writeSuppressionsToCloudFormation: true }));
}

const BASIC_EXECUTION_ROLE =
  'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]';

/** The reasons, by finding id. */
export const NAG_REASONS = {
  [BASIC_EXECUTION_ROLE]:
    'AWSLambdaBasicExecutionRole only allows writing CloudWatch Logs (CreateLogGroup, CreateLogStream, PutLogEvents); every DynamoDB permission is an inline least-privilege statement per table and action (lib/routes.ts).',
  'AwsSolutions-APIG4':
    'Public by contract (SPEC): POST /identify is called by the checkout (or put behind IAM with -c identifyAuthorization=iam), GET /health is a liveness probe, and $default only answers the JSON 404/405. Every admin route has the Cognito JWT authorizer.',
  'AwsSolutions-COG2':
    'MFA is not required yet: the documented operator sign-in (ADMIN_USER_PASSWORD_AUTH) and the console sign-in do not handle an MFA challenge. Admins are created by operators only (no self sign-up) with a 12-character password policy; requiring TOTP is a follow-up.',
  'AwsSolutions-COG8':
    'The Plus feature plan (threat protection) is billed per monthly active user and the pool only holds a few operator-created admins without self sign-up; sign-ins are audited through CloudTrail and every admin action through the audit table.',
  'AwsSolutions-IAM5[Resource::*]':
    'Only actions that have no resource-level permissions: xray:PutTraceSegments and xray:PutTelemetryRecords (Lambda active tracing, on every function) and dynamodb:ListStreams (the identity-events event source mapping). Every DynamoDB data action is granted on its own table only (lib/routes.ts).',
  'AwsSolutions-SQS3':
    'This queue is itself the dead-letter destination of the identity-events stream source (infra/events/): a dead-letter queue of a dead-letter queue would only move the same undeliverable records once more.',
  'AwsSolutions-DDB3':
    'dev stage only: its tables hold disposable test data and are deleted with the stack, so point-in-time recovery (billed per GB-month) is off; prod has it on every table.',
} as const;

type FindingId = keyof typeof NAG_REASONS;

function acknowledge(construct: IConstruct, id: FindingId): void {
  Validations.of(construct).acknowledge({ id, reason: NAG_REASONS[id] });
}

/** Acknowledges the justified findings on the constructs they are about (and nowhere else). */
export function acknowledgeNagFindings(stack: IdentityStack): void {
  for (const fn of Object.values(stack.functions)) {
    acknowledge(fn.function.role!, BASIC_EXECUTION_ROLE);
    acknowledge(fn.function.role!, 'AwsSolutions-IAM5[Resource::*]');
  }
  acknowledge(stack.events.deadLetterQueue, 'AwsSolutions-SQS3');
  for (const route of stack.api.node.findAll().filter((c): c is CfnRoute => c instanceof CfnRoute)) {
    if ((route.authorizationType ?? 'NONE') === 'NONE') acknowledge(route, 'AwsSolutions-APIG4');
  }
  acknowledge(stack.userPool, 'AwsSolutions-COG2');
  acknowledge(stack.userPool, 'AwsSolutions-COG8');
  if (!STAGE_SETTINGS[stack.stageName].pointInTimeRecovery) {
    for (const table of Object.values(stack.tables)) if (table instanceof Table) acknowledge(table, 'AwsSolutions-DDB3');
  }
}
