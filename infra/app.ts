/**
 * The CDK app (cdk.json: `tsx infra/app.ts`). Options come from CDK context, e.g.
 *   npx cdk deploy -c identifyAuthorization=iam -c throttlingRateLimit=50 -c throttlingBurstLimit=100
 *   npx cdk deploy -c stage=prod -c alarmEmail=oncall@fluxkart.example
 * The AwsSolutions cdk-nag pack runs on every synth (infra/nag.ts).
 */
import { App } from 'aws-cdk-lib';
import { ensureWebBuild } from '../lib/local/web-build';
import { IdentityStack, type IdentityStackProps } from './identity-stack';
import { acknowledgeNagFindings, addNagChecks } from './nag';
import { parseAlarmEmail, parseExistingTables } from './ops-context';
import { parseStage, STAGE_SETTINGS } from './stage';

const app = new App({
  // `aws:asset:path` metadata on the functions, which `sam local` reads. The CDK CLI sets it too;
  // this keeps it when the app is synthesized some other way.
  context: { 'aws:cdk:enable-asset-metadata': true },
});

function numberContext(key: string): number | undefined {
  const raw: unknown = app.node.tryGetContext(key);
  if (raw === undefined || raw === null || raw === '') return undefined;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) throw new Error(`Context ${key} must be a non-negative number`);
  return value;
}

const identifyAuthorization: unknown = app.node.tryGetContext('identifyAuthorization') ?? 'none';
if (identifyAuthorization !== 'none' && identifyAuthorization !== 'iam') {
  throw new Error('Context identifyAuthorization must be "none" or "iam"');
}
const logLevel: unknown = app.node.tryGetContext('logLevel');
if (logLevel !== undefined && !['debug', 'info', 'warn', 'error'].includes(String(logLevel))) {
  throw new Error('Context logLevel must be debug, info, warn or error');
}

const stage = parseStage(app.node.tryGetContext('stage'));
const eventContactValues: unknown = app.node.tryGetContext('eventContactValues') ?? 'hashed';
if (eventContactValues !== 'hashed' && eventContactValues !== 'clear') {
  throw new Error('Context eventContactValues must be "hashed" or "clear"');
}
// -c site=false: the identity service alone, no storefront/console (nothing is built then).
const site = String(app.node.tryGetContext('site') ?? 'true') !== 'false';
if (site) await ensureWebBuild({ log: (line) => process.stderr.write(`${line}\n`) });

const props: IdentityStackProps = {
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
  description: 'FluxKart identity reconciliation service (HTTP API, Lambda, DynamoDB, Cognito)',
  identifyAuthorization,
  throttlingRateLimit: numberContext('throttlingRateLimit'),
  throttlingBurstLimit: numberContext('throttlingBurstLimit'),
  logLevel: logLevel as IdentityStackProps['logLevel'],
  stage,
  alarmEmail: parseAlarmEmail(app.node.tryGetContext('alarmEmail')),
  existingTables: parseExistingTables(app.node.tryGetContext('tableNames'), app.node.tryGetContext('tableStreamArns')),
  eventContactValues,
  logSampleRate: numberContext('logSampleRate'),
  authDomainPrefix: (app.node.tryGetContext('authDomainPrefix') as string | undefined) || undefined,
  site: site ? {} : false,
};

const stack = new IdentityStack(app, String(app.node.tryGetContext('stackName') ?? STAGE_SETTINGS[stage].stackName), props);
addNagChecks(app);
acknowledgeNagFindings(stack);
