/**
 * cdk-nag (AwsSolutions) on the real app, both stages: the synth passes, i.e. there is no
 * unacknowledged finding (a failure lists each one as rule id + construct path, ready to fix or to
 * acknowledge in infra/nag.ts), every acknowledgement carries a reason, and the set of
 * acknowledged rules is exactly the expected one, so a new finding acknowledged in passing or a
 * fix that got lost shows up here. A last case proves the check bites: a construct with a
 * finding makes the synth fail and the report name it.
 */
import { App } from 'aws-cdk-lib';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { IdentityStack } from '../../infra/identity-stack';
import { acknowledgeNagFindings, addNagChecks, NAG_REASONS } from '../../infra/nag';
import { STAGE_SETTINGS } from '../../infra/stage';
import { describeViolations, synthApp, type AppSynth, type Violation } from './synth-app';

const BASIC_EXECUTION_ROLE =
  'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]';

/** What each stage acknowledges, and nothing more. */
const WILDCARD = 'AwsSolutions-IAM5[Resource::*]';
const EXPECTED: Record<'dev' | 'prod', string[]> = {
  prod: [BASIC_EXECUTION_ROLE, WILDCARD, 'AwsSolutions-APIG4', 'AwsSolutions-COG2', 'AwsSolutions-COG8', 'AwsSolutions-SQS3'].sort(),
  dev: [BASIC_EXECUTION_ROLE, WILDCARD, 'AwsSolutions-APIG4', 'AwsSolutions-COG2', 'AwsSolutions-COG8', 'AwsSolutions-SQS3', 'AwsSolutions-DDB3'].sort(),
};

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
  [results.prod, results.dev] = await Promise.all([synthApp({ stage: 'prod' }), synthApp({ stage: 'dev' })]);
}, 300_000);

describe.each(['prod', 'dev'] as const)('cdk-nag, stage %s', (stage) => {
  const stackName = STAGE_SETTINGS[stage].stackName;
  let result: AppSynth;

  it('synthesizes with no unacknowledged finding', () => {
    result = results[stage];
    expect(describeViolations(result.violations), 'unacknowledged cdk-nag findings').toBe('');
    expect(result.code, result.stderr).toBe(0);
    expect(Object.keys(result.templates)).toEqual([stackName]);
  });

  it('acknowledges exactly the expected rules, each with its reason', () => {
    const acks = acknowledgements(result, stackName);
    expect([...new Set(acks.map((a) => a.id))].sort()).toEqual(EXPECTED[stage]);
    for (const ack of acks) {
      expect(ack.reason, `${ack.id} on ${ack.resource}`).toBe(NAG_REASONS[ack.id as keyof typeof NAG_REASONS]);
      expect(ack.reason.length).toBeGreaterThan(40);
    }
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
      const stack = new IdentityStack(app, 'NagProbe', { env: { account: '123456789012', region: 'eu-west-1' } });
      addNagChecks(app);
      acknowledgeNagFindings(stack);
      new Topic(stack, 'UnencryptedTopic'); // SNS3: publishers not required to use SSL
      expect(() => app.synth()).toThrow(/validation-report\.json/);
      const report = JSON.parse(readFileSync(join(outdir, 'validation-report.json'), 'utf8')) as {
        pluginReports: { violations: Violation[] }[];
      };
      const found = describeViolations(report.pluginReports.flatMap((p) => p.violations));
      expect(found.split('\n')).toEqual(['AwsSolutions-SNS3 (error) at NagProbe/UnencryptedTopic/Resource']);
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  }, 120_000);
});
