/**
 * cdk-nag (3.x, the AwsSolutions pack) for the app, and every finding the stack acknowledges,
 * each with its reason. A finding that is not acknowledged fails the synth (and
 * test/infra/nag.test.ts). Fix a finding when that is cheap and right; acknowledge it here only
 * with a reason a reviewer can check. Acknowledgements are also written into the template's
 * resource Metadata (`cdk_nag.rules_to_suppress`), the audit trail the test reads.
 * The site's findings (infra/site/) are on its distribution and on CDK's BucketDeployment handler;
 * the handler's are matched against reviewed patterns, since their ids name the region and account.
 */
import { Validations, type App } from 'aws-cdk-lib';
import { CfnRoute } from 'aws-cdk-lib/aws-apigatewayv2';
import { Table } from 'aws-cdk-lib/aws-dynamodb';
import { CfnPolicy, type Role } from 'aws-cdk-lib/aws-iam';
import { AwsSolutionsChecks, NagRuleCompliance, rules } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import type { IdentityStack } from './identity-stack';
import type { StorefrontSite } from './site';
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
  'AwsSolutions-CFR1':
    'No geo restriction: the storefront sells to every country and the console is used by FluxKart agents wherever they work; no legal or licensing rule limits either. A restriction would be `geoRestriction` on the distribution (infra/site/).',
  'AwsSolutions-CFR2':
    'No AWS WAF web ACL yet: a CloudFront-scope web ACL can only be created in us-east-1, not in the region of this stack, and costs per ACL, rule and request. The pages are static files and the API behind the distribution is throttled per stage (throttlingRateLimit / throttlingBurstLimit, 100 / 200 by default); a web ACL from a us-east-1 stack is a follow-up (README "Deploy").',
  'AwsSolutions-CFR4':
    'Only without a custom domain: the default *.cloudfront.net certificate has a security policy that cannot be changed. With `domainNames` and `certificate` (StorefrontSite props) the distribution uses TLSv1.2_2021 and this is not acknowledged. HSTS is sent, and current browsers negotiate TLS 1.2 or 1.3 anyway.',
} as const;

/**
 * CDK's BucketDeployment handler (the Lambda that copies web/dist into the site bucket during a
 * deploy): aws-cdk-lib's code, runtime and IAM policy, not ours. Each finding on it is
 * acknowledged only when it matches one of these reviewed patterns (a new wildcard still fails).
 */
export const DEPLOYMENT_HANDLER_REASONS: readonly { finding: RegExp; reason: string }[] = [
  {
    finding: /^AwsSolutions-L1$/,
    reason:
      "The BucketDeployment handler is aws-cdk-lib's own Python function with its AWS CLI layer; its runtime is chosen by aws-cdk-lib (python3.13 in 2.276) and moves with aws-cdk-lib upgrades. It only runs during a deploy, never on a request.",
  },
  {
    finding: /^AwsSolutions-IAM4\[Policy::arn:<AWS::Partition>:iam::aws:policy\/service-role\/AWSLambdaBasicExecutionRole\]$/,
    reason:
      "The BucketDeployment handler's role (aws-cdk-lib's): AWSLambdaBasicExecutionRole only allows writing its CloudWatch Logs; its other permissions are the inline statements CDK adds for the assets bucket, the site bucket and the invalidation.",
  },
  {
    finding: /^AwsSolutions-IAM5\[Action::s3:(GetBucket|GetObject|List)\*\]$/,
    reason:
      "CDK's grantRead on the bootstrap assets bucket (the zipped pages) and grantReadWrite on the site bucket: read actions on those two buckets only.",
  },
  {
    finding: /^AwsSolutions-IAM5\[Action::s3:(Abort|DeleteObject)\*\]$/,
    reason:
      "CDK's grantReadWrite on the site bucket only (its own destination): aborting multipart uploads and replacing objects while the pages are copied.",
  },
  {
    finding: /^AwsSolutions-IAM5\[Resource::arn:(aws[a-z-]*|<AWS::Partition>):s3:::cdk-[a-z0-9]+-assets-(<AWS::AccountId>|\d{12})-([a-z0-9-]+|<AWS::Region>)\/\*\]$/,
    reason:
      "The objects of the CDK bootstrap assets bucket, where `cdk deploy` uploads the zipped pages; read-only (GetObject*, GetBucket*, List*).",
  },
  {
    finding: /^AwsSolutions-IAM5\[Resource::<SiteBucket[0-9A-F]{8}\.Arn>\/\*\]$/,
    reason: "The objects of the site bucket, the deployment's destination (nothing else is stored there).",
  },
  {
    finding: /^AwsSolutions-IAM5\[Resource::\*\]$/,
    reason:
      "Only cloudfront:CreateInvalidation and cloudfront:GetInvalidation, which CDK's BucketDeployment grants on * to invalidate /* of the site's distribution after the pages are copied; no other action of the handler is on * (test/infra/nag.test.ts checks this).",
  },
];

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
  if (stack.site) acknowledgeSiteFindings(stack.site);
}

/** The site's distribution and CDK's BucketDeployment handler (infra/site/). */
function acknowledgeSiteFindings(site: StorefrontSite): void {
  const distribution = site.distribution.node.defaultChild!;
  acknowledge(distribution, 'AwsSolutions-CFR1');
  acknowledge(distribution, 'AwsSolutions-CFR2');
  if (!site.certificate) acknowledge(distribution, 'AwsSolutions-CFR4');
  // Both deployments share one singleton handler (same memory limit), whose role is `handlerRole`.
  for (const role of new Set(site.deployments.map((d) => d.handlerRole as Role))) {
    const handler = role.node.scope!;
    acknowledgeDeploymentHandler(handler.node.defaultChild!, ['AwsSolutions-L1']);
    acknowledgeDeploymentHandler(role.node.defaultChild!, [
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
    ]);
    // The wildcard findings of the handler's policy, exactly as cdk-nag's IAM5 rule words them.
    for (const policy of role.node.findAll().filter((c): c is CfnPolicy => c instanceof CfnPolicy)) {
      const findings = rules.iam.IAMNoWildcardPermissions(policy);
      if (findings === NagRuleCompliance.COMPLIANT || !Array.isArray(findings)) continue;
      acknowledgeDeploymentHandler(policy, findings.map((f) => `AwsSolutions-IAM5[${f}]`));
    }
  }
}

/** Acknowledges each finding that a DEPLOYMENT_HANDLER_REASONS pattern covers; the others stay findings. */
function acknowledgeDeploymentHandler(construct: IConstruct, ids: string[]): void {
  for (const id of ids) {
    const known = DEPLOYMENT_HANDLER_REASONS.find((r) => r.finding.test(id));
    if (known) Validations.of(construct).acknowledge({ id, reason: known.reason });
  }
}
