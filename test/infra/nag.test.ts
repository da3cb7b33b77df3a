/**
 * cdk-nag (AwsSolutions) on the real app, both stages: the synth passes, i.e. there is no
 * unacknowledged finding (a failure lists each one as rule id + construct path, ready to fix or to
 * acknowledge in infra/nag.ts), every acknowledgement carries a reason, and the set of
 * acknowledged rules is exactly the expected one, so a new finding acknowledged in passing or a
 * fix that got lost shows up here. The dev synth is the app without `-c stage` (its default).
 * A probe proves the check bites: a construct with a finding makes the synth fail and the report
 * name it (that probe has a custom certificate, so CFR4 is neither found nor acknowledged); and the
 * stack without the site (-c site=false) passes with the service's acknowledgements only.
 */
import { App, Validations } from 'aws-cdk-lib';
import { Certificate } from 'aws-cdk-lib/aws-certificatemanager';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { IdentityStack } from '../../infra/identity-stack';
import { acknowledgeNagFindings, addNagChecks, DEPLOYMENT_HANDLER_REASONS, NAG_REASONS } from '../../infra/nag';
import { STAGE_SETTINGS } from '../../infra/stage';
import { describeViolations, synthApp, type AppSynth, type Violation } from './synth-app';

const BASIC_EXECUTION_ROLE =
  'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]';

/** What each stage acknowledges, and nothing more. */
const WILDCARD = 'AwsSolutions-IAM5[Resource::*]';
const SERVICE = [BASIC_EXECUTION_ROLE, WILDCARD, 'AwsSolutions-APIG4', 'AwsSolutions-COG2', 'AwsSolutions-COG8', 'AwsSolutions-SQS3'];
/** The site (infra/site/): its distribution, and CDK's BucketDeployment handler (account 123456789012, region eu-west-1 here). */
const SITE = [
  'AwsSolutions-CFR1',
  'AwsSolutions-CFR2',
  'AwsSolutions-CFR4',
  'AwsSolutions-L1',
  'AwsSolutions-IAM5[Action::s3:GetBucket*]',
  'AwsSolutions-IAM5[Action::s3:GetObject*]',
  'AwsSolutions-IAM5[Action::s3:List*]',
  'AwsSolutions-IAM5[Action::s3:Abort*]',
  'AwsSolutions-IAM5[Action::s3:DeleteObject*]',
  'AwsSolutions-IAM5[Resource::arn:aws:s3:::cdk-hnb659fds-assets-123456789012-eu-west-1/*]',
  'AwsSolutions-IAM5[Resource::<SiteBucket978D4AEB.Arn>/*]',
];
const EXPECTED: Record<'dev' | 'prod', string[]> = {
  prod: [...SERVICE, ...SITE].sort(),
  dev: [...SERVICE, ...SITE, 'AwsSolutions-DDB3'].sort(),
};
/** Acknowledgements aws-cdk-lib makes itself (not cdk-nag's): the log bucket's ACL for CloudFront's logs. */
const CDK_OWN = /^CloudFormation-Validate::W3045$/;
const isDeploymentHandler = (logicalId: string) => logicalId.startsWith('CustomCDKBucketDeployment');

function acknowledgements(result: AppSynth, stackName: string): { id: string; reason: string; resource: string }[] {
  const template = result.templates[stackName];
  expect(template, `template of ${stackName}`).toBeDefined();
  const resources = Object.entries(template!.Resources);
  expect(resources.length).toBeGreaterThan(0);
  return resources.flatMap(([logicalId, r]) =>
    ((r.Metadata?.cdk_nag?.rules_to_suppress ?? []) as { id: string; reason: string }[]).map((s) => ({
      ...s,
      resource: logicalId,
    })),
  );
}

const results = {} as Record<'dev' | 'prod', AppSynth>;
beforeAll(async () => {
  // dev without -c stage: the app's default (test/infra/stages.test.ts relies on this synth).
  [results.prod, results.dev] = await Promise.all([synthApp({ stage: 'prod' }), synthApp({})]);
}, 300_000);

describe.each(['prod', 'dev'] as const)('cdk-nag, stage %s', (stage) => {
  const stackName = STAGE_SETTINGS[stage].stackName;
  let result: AppSynth;
  beforeAll(() => {
    result = results[stage];
  });

  it('synthesizes with no unacknowledged finding', () => {
    expect(describeViolations(result.violations), 'unacknowledged cdk-nag findings').toBe('');
    expect(result.code, result.stderr).toBe(0);
    expect(Object.keys(result.templates)).toEqual([stackName]);
  });

  it('acknowledges exactly the expected rules, each with its reason', () => {
    const all = acknowledgements(result, stackName);
    const others = all.filter((a) => !a.id.startsWith('AwsSolutions-'));
    for (const ack of others) {
      expect(ack.id, ack.resource).toMatch(CDK_OWN);
      expect(ack.resource).toMatch(/^SiteLogBucket/);
    }
    const acks = all.filter((a) => a.id.startsWith('AwsSolutions-'));
    expect([...new Set(acks.map((a) => a.id))].sort()).toEqual(EXPECTED[stage]);
    for (const ack of acks) {
      const expected = isDeploymentHandler(ack.resource)
        ? DEPLOYMENT_HANDLER_REASONS.find((r) => r.finding.test(ack.id))?.reason
        : NAG_REASONS[ack.id as keyof typeof NAG_REASONS];
      expect(ack.reason, `${ack.id} on ${ack.resource}`).toBe(expected);
      expect(ack.reason.length).toBeGreaterThan(40);
    }
    // The site's findings are acknowledged on the distribution and CDK's handler only.
    for (const ack of acks.filter((a) => SITE.includes(a.id))) {
      expect(ack.resource, ack.id).toMatch(ack.id.startsWith('AwsSolutions-CFR') ? /^SiteDistribution[0-9A-F]{8}$/ : /^CustomCDKBucketDeployment/);
    }
  });

  it("the BucketDeployment handler has nothing on * but CloudFront's invalidation", () => {
    const policies = Object.entries(result.templates[stackName]!.Resources).filter(
      ([id, r]) => r.Type === 'AWS::IAM::Policy' && isDeploymentHandler(id),
    );
    expect(policies).toHaveLength(1);
    const onStar = (policies[0]![1].Properties.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown }[])
      .filter((st) => st.Resource === '*' || (Array.isArray(st.Resource) && st.Resource.includes('*')))
      .flatMap((st) => [st.Action].flat());
    expect(onStar.sort()).toEqual(['cloudfront:CreateInvalidation', 'cloudfront:GetInvalidation']);
  });

  it('acknowledges APIG4 only on the public routes, never on an admin route', () => {
    const routes = Object.entries(result.templates[stackName]!.Resources).filter(([, r]) => r.Type === 'AWS::ApiGatewayV2::Route');
    expect(routes.length).toBeGreaterThan(0);
    for (const [id, route] of routes) {
      const acked = ((route.Metadata?.cdk_nag?.rules_to_suppress ?? []) as { id: string }[]).some((s) => s.id === 'AwsSolutions-APIG4');
      expect(acked, `${id} ${route.Properties.RouteKey}`).toBe(route.Properties.AuthorizationType === 'NONE');
    }
  });
});

describe('the cdk-nag check', () => {
  it('fails the synth on a new finding and names its rule and construct', () => {
    const outdir = mkdtempSync(join(tmpdir(), 'fluxkart-nag-'));
    try {
      const app = new App({ outdir, context: { 'aws:cdk:bundling-stacks': [] } });
      // With a custom domain and certificate: TLS 1.2 applies, so CFR4 is neither found nor acknowledged.
      const certificate = Certificate.fromCertificateArn(app, 'Cert', 'arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-555555555555');
      const stack = new IdentityStack(app, 'NagProbe', {
        env: { account: '123456789012', region: 'eu-west-1' },
        site: { domainNames: ['shop.fluxkart.example'], certificate },
      });
      addNagChecks(app);
      acknowledgeNagFindings(stack);
      new Topic(stack, 'UnencryptedTopic'); // SNS3: publishers not required to use SSL
      expect(() => app.synth()).toThrow(/validation-report\.json/);
      const report = JSON.parse(readFileSync(join(outdir, 'validation-report.json'), 'utf8')) as {
        pluginReports: { violations: Violation[] }[];
      };
      const found = describeViolations(report.pluginReports.flatMap((p) => p.violations));
      expect(found.split('\n')).toEqual(['AwsSolutions-SNS3 (error) at NagProbe/UnencryptedTopic/Resource']);
      const acknowledged = stack.site!.distribution.node
        .findAll()
        .flatMap((c) => c.node.metadata)
        .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
        .flatMap((m) => Object.keys(m.data as object));
      expect(acknowledged.some((id) => id.includes('CFR1'))).toBe(true);
      expect(acknowledged.filter((id) => id.includes('CFR4'))).toEqual([]);
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  }, 120_000);

  it('passes without the site (-c site=false): no site finding, no site acknowledgement', () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const stack = new IdentityStack(app, 'NagNoSite', { env: { account: '123456789012', region: 'eu-west-1' }, stage: 'dev', site: false });
    addNagChecks(app);
    acknowledgeNagFindings(stack);
    const template = app.synth().getStackByName('NagNoSite').template as { Resources: Record<string, { Metadata?: Record<string, any> }> };
    const ids = Object.values(template.Resources).flatMap((r) =>
      ((r.Metadata?.cdk_nag?.rules_to_suppress ?? []) as { id: string }[]).map((a) => a.id),
    );
    expect([...new Set(ids)].sort()).toEqual([...SERVICE, 'AwsSolutions-DDB3'].sort());
  }, 120_000);
});
