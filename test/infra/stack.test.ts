/**
 * CDK assertions on the synthesized stack (bundling skipped: `aws:cdk:bundling-stacks: []`).
 * Expectations are derived from lib/routes.ts and lib/tables.ts where those are the contract, so
 * a route, function or table added there is checked too; the properties themselves (billing,
 * retention, least privilege, authorizers...) are spelled out here, so a regression fails.
 */
import { App, type CfnResource } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { IdentityStack, type IdentityStackProps } from '../../infra/identity-stack';
import { ADMINS_GROUP } from '../../lib/auth';
import { FUNCTIONS, matchRoute, ROUTES, type FunctionName, type Route } from '../../lib/routes';
import { localTableNames, TABLE_KEYS, TABLES, tableEnvironment } from '../../lib/tables';
import { nonEmpty } from '../support/non-empty';

type Resource = { Type: string; Properties: Record<string, any>; DeletionPolicy?: string; UpdateReplacePolicy?: string };

function synth(props: Omit<IdentityStackProps, 'env'> = {}) {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new IdentityStack(app, 'TestIdentity', {
    env: { account: '123456789012', region: 'eu-west-1' },
    ...props,
  });
  const template = Template.fromStack(stack);
  const resources = template.toJSON().Resources as Record<string, Resource>;
  const id = (construct: { node: { defaultChild?: unknown } } | CfnResource) =>
    stack.getLogicalId(('node' in construct && construct.node.defaultChild ? construct.node.defaultChild : construct) as CfnResource);
  return { stack, template, resources, id };
}

const FUNCTION_NAMES = Object.keys(FUNCTIONS) as FunctionName[];

/** A route table as another developer might extend it: one admin route, one with a path parameter. */
const FIXTURE_ROUTES: readonly Route[] = [
  { method: 'POST', path: '/identify', function: 'identify', auth: 'public' },
  { method: 'GET', path: '/health', function: 'health', auth: 'public' },
  { method: 'GET', path: '/admin-fixture/{id}', function: 'health', auth: 'admin' },
];

const base = synth();
const fixture = synth({
  routes: FIXTURE_ROUTES,
  identifyAuthorization: 'iam',
  throttlingRateLimit: 7,
  throttlingBurstLimit: 3,
});

function ofType(resources: Record<string, Resource>, type: string): [string, Resource][] {
  return Object.entries(resources).filter(([, r]) => r.Type === type);
}

function routeByKey(resources: Record<string, Resource>, routeKey: string): Resource {
  const found = ofType(resources, 'AWS::ApiGatewayV2::Route').filter(([, r]) => r.Properties.RouteKey === routeKey);
  expect(found, `route ${routeKey}`).toHaveLength(1);
  return found[0]![1];
}

/** The logical id of the function a route's integration invokes. */
function routeTargetFunction(resources: Record<string, Resource>, route: Resource): string {
  const target = route.Properties.Target as { 'Fn::Join': [string, [string, { Ref: string }]] };
  expect(target['Fn::Join'][1][0]).toBe('integrations/');
  const integration = resources[target['Fn::Join'][1][1].Ref]!;
  expect(integration.Type).toBe('AWS::ApiGatewayV2::Integration');
  expect(integration.Properties).toMatchObject({ IntegrationType: 'AWS_PROXY', PayloadFormatVersion: '2.0' });
  return (integration.Properties.IntegrationUri as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
}

/** Every (table, action) pair a function's role may use on DynamoDB, as "table:action". */
const TRACING_ACTIONS = ['xray:PutTelemetryRecords', 'xray:PutTraceSegments'];

function isTracingStatement(statement: Record<string, any>): boolean {
  const actions = ([statement.Action].flat() as string[]).sort();
  return statement.Resource === '*' && actions.join() === TRACING_ACTIONS.join();
}

/** How many X-Ray tracing statements a function's role policies hold. */
function tracingStatements(s: ReturnType<typeof synth>, fn: FunctionName): number {
  const roleId = s.id(s.stack.functions[fn].function.role!.node.defaultChild as CfnResource);
  let count = 0;
  for (const [, policy] of ofType(s.resources, 'AWS::IAM::Policy')) {
    if (!(policy.Properties.Roles as { Ref: string }[]).some((r) => r.Ref === roleId)) continue;
    for (const statement of policy.Properties.PolicyDocument.Statement as Record<string, any>[]) {
      if (isTracingStatement(statement)) count++;
    }
  }
  return count;
}

function dynamoGrants(s: ReturnType<typeof synth>, fn: FunctionName): string[] {
  const roleId = s.id(s.stack.functions[fn].function.role!.node.defaultChild as CfnResource);
  const tableById = new Map(TABLE_KEYS.map((k) => [s.id(s.stack.tables[k]), k]));
  const pairs: string[] = [];
  for (const [, policy] of nonEmpty(ofType(s.resources, 'AWS::IAM::Policy'), 'IAM policies')) {
    const roles = policy.Properties.Roles as { Ref: string }[];
    if (!roles.some((r) => r.Ref === roleId)) continue;
    for (const statement of nonEmpty(policy.Properties.PolicyDocument.Statement as Record<string, any>[], 'policy statements')) {
      expect(statement.Effect).toBe('Allow');
      // Active tracing's own statement (X-Ray accepts no resource but "*"): exactly these two actions.
      if (isTracingStatement(statement)) continue;
      const actions = [statement.Action].flat() as string[];
      const resources = [statement.Resource].flat() as unknown[];
      for (const action of nonEmpty(actions, 'statement actions')) {
        expect(action, 'no wildcard actions').not.toContain('*');
        for (const resource of nonEmpty(resources, 'statement resources')) {
          const getAtt = (resource as { 'Fn::GetAtt'?: [string, string] })['Fn::GetAtt'];
          // Only plain table ARNs: no "/index/*", no "*", no other resources.
          expect(getAtt, `resource of ${action}: ${JSON.stringify(resource)}`).toBeDefined();
          expect(getAtt![1]).toBe('Arn');
          const table = tableById.get(getAtt![0]);
          expect(table, `unknown resource ${getAtt![0]}`).toBeDefined();
          pairs.push(`${table}:${action}`);
        }
      }
    }
  }
  return pairs.sort();
}

function expectedGrants(fn: FunctionName): string[] {
  return Object.entries(FUNCTIONS[fn].tables)
    .flatMap(([table, actions]) => (actions ?? []).map((a) => `${table}:${a}`))
    .sort();
}

describe('HTTP API routes', () => {
  it('has one route per ROUTES entry, each to its function, plus $default to notFound', () => {
    const routes = ofType(base.resources, 'AWS::ApiGatewayV2::Route');
    expect(routes.map(([, r]) => r.Properties.RouteKey).sort()).toEqual(
      [...ROUTES.map((r) => `${r.method} ${r.path}`), '$default'].sort(),
    );
    for (const route of ROUTES) {
      const resource = routeByKey(base.resources, `${route.method} ${route.path}`);
      expect(routeTargetFunction(base.resources, resource)).toBe(base.id(base.stack.functions[route.function].function));
    }
    const fallback = routeByKey(base.resources, '$default');
    expect(routeTargetFunction(base.resources, fallback)).toBe(base.id(base.stack.functions.notFound.function));
    expect(fallback.Properties.AuthorizationType).toBe('NONE');
  });

  it('serves POST /identify and GET /health without an authorizer by default', () => {
    expect(routeByKey(base.resources, 'POST /identify').Properties).toMatchObject({ AuthorizationType: 'NONE' });
    expect(routeByKey(base.resources, 'GET /health').Properties).toMatchObject({ AuthorizationType: 'NONE' });
    expect(routeByKey(base.resources, 'POST /identify').Properties.AuthorizerId).toBeUndefined();
  });

  it('lets each function be invoked by this API only', () => {
    const apiId = base.id(base.stack.api);
    for (const [, permission] of nonEmpty(ofType(base.resources, 'AWS::Lambda::Permission'), 'Lambda permissions')) {
      expect(permission.Properties.Principal).toBe('apigateway.amazonaws.com');
      expect(JSON.stringify(permission.Properties.SourceArn)).toContain(`{"Ref":"${apiId}"}`);
    }
  });

  it('throttles the $default stage with the defaults, and with the values given', () => {
    base.template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingRateLimit: 100, ThrottlingBurstLimit: 200 },
      AccessLogSettings: { DestinationArn: Match.anyValue(), Format: Match.stringLikeRegexp('\\$context\\.requestId') },
    });
    base.template.resourceCountIs('AWS::ApiGatewayV2::Stage', 1);
    fixture.template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      DefaultRouteSettings: { ThrottlingRateLimit: 7, ThrottlingBurstLimit: 3 },
    });
  });

  it('outputs ApiUrl, UserPoolId and UserPoolClientId', () => {
    const outputs = base.template.toJSON().Outputs as Record<string, { Value: unknown }>;
    expect(Object.keys(outputs)).toEqual(expect.arrayContaining(['ApiUrl', 'UserPoolId', 'UserPoolClientId']));
    expect(JSON.stringify(outputs.ApiUrl!.Value)).toContain(base.id(base.stack.api));
    expect(outputs.UserPoolId!.Value).toEqual({ Ref: base.id(base.stack.userPool) });
    expect(outputs.UserPoolClientId!.Value).toEqual({ Ref: base.id(base.stack.userPoolClient) });
  });
});

describe('access control', () => {
  it('has a user pool without self sign-up, a client and the admins group', () => {
    base.template.resourceCountIs('AWS::Cognito::UserPool', 1);
    base.template.hasResourceProperties('AWS::Cognito::UserPool', {
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
    });
    base.template.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      UserPoolId: { Ref: base.id(base.stack.userPool) },
      GenerateSecret: false,
    });
    base.template.hasResourceProperties('AWS::Cognito::UserPoolGroup', {
      GroupName: ADMINS_GROUP,
      UserPoolId: { Ref: base.id(base.stack.userPool) },
    });
    expect(ADMINS_GROUP).toBe('admins');
  });

  it('puts every admin route behind a JWT authorizer for the user pool and its client', () => {
    const authorizers = ofType(fixture.resources, 'AWS::ApiGatewayV2::Authorizer');
    expect(authorizers).toHaveLength(1);
    const [authorizerId, authorizer] = authorizers[0]!;
    expect(authorizer.Properties).toMatchObject({
      AuthorizerType: 'JWT',
      IdentitySource: ['$request.header.Authorization'],
      JwtConfiguration: {
        Audience: [{ Ref: fixture.id(fixture.stack.userPoolClient) }, { Ref: fixture.id(fixture.stack.consoleAuth.client) }],
      },
    });
    const issuer = JSON.stringify(authorizer.Properties.JwtConfiguration.Issuer);
    expect(issuer).toContain('https://cognito-idp.eu-west-1.amazonaws.com/');
    expect(issuer).toContain(`{"Ref":"${fixture.id(fixture.stack.userPool)}"}`);

    const admin = routeByKey(fixture.resources, 'GET /admin-fixture/{id}');
    expect(admin.Properties).toMatchObject({ AuthorizationType: 'JWT', AuthorizerId: { Ref: authorizerId } });
    expect(routeByKey(fixture.resources, 'GET /health').Properties.AuthorizationType).toBe('NONE');
    expect(routeByKey(fixture.resources, '$default').Properties.AuthorizationType).toBe('NONE');
  });

  it('protects the admin routes of the real route table the same way', () => {
    const adminRoutes = ROUTES.filter((r) => r.auth === 'admin');
    const jwtAuthorizers = ofType(base.resources, 'AWS::ApiGatewayV2::Authorizer').filter(
      ([, a]) => a.Properties.AuthorizerType === 'JWT',
    );
    expect(jwtAuthorizers).toHaveLength(adminRoutes.length > 0 ? 1 : 0);
    for (const route of nonEmpty(adminRoutes, 'admin routes')) {
      expect(routeByKey(base.resources, `${route.method} ${route.path}`).Properties, `${route.method} ${route.path}`).toMatchObject({
        AuthorizationType: 'JWT',
        AuthorizerId: { Ref: jwtAuthorizers[0]![0] },
      });
    }
    for (const route of ROUTES.filter((r) => r.auth === 'public')) {
      expect(routeByKey(base.resources, `${route.method} ${route.path}`).Properties.AuthorizationType).toBe('NONE');
    }
  });

  it('puts POST /identify behind IAM when identifyAuthorization is iam', () => {
    expect(routeByKey(fixture.resources, 'POST /identify').Properties).toMatchObject({ AuthorizationType: 'AWS_IAM' });
    expect(routeByKey(fixture.resources, 'POST /identify').Properties.AuthorizerId).toBeUndefined();
  });
});

describe('tables', () => {
  it('creates exactly the tables of lib/tables.ts, with their keys', () => {
    base.template.resourceCountIs('AWS::DynamoDB::Table', TABLE_KEYS.length);
    for (const key of TABLE_KEYS) {
      const def = TABLES[key];
      const sortKey = 'sortKey' in def ? def.sortKey : undefined;
      const table = base.resources[base.id(base.stack.tables[key])]!;
      expect(table.Properties.KeySchema).toEqual([
        { AttributeName: def.partitionKey.name, KeyType: 'HASH' },
        ...(sortKey ? [{ AttributeName: sortKey.name, KeyType: 'RANGE' }] : []),
      ]);
      expect(table.Properties.AttributeDefinitions).toEqual([
        { AttributeName: def.partitionKey.name, AttributeType: def.partitionKey.type },
        ...(sortKey ? [{ AttributeName: sortKey.name, AttributeType: sortKey.type }] : []),
      ]);
      expect(table.Properties.TableName, 'CloudFormation names the tables').toBeUndefined();
    }
    expect(TABLES.contacts.sortKey.name).toBe('id');
  });

  it('bills on demand, keeps point-in-time recovery and survives deletion of the stack', () => {
    for (const key of TABLE_KEYS) {
      const table = base.resources[base.id(base.stack.tables[key])]!;
      expect(table.Properties, key).toMatchObject({
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        DeletionProtectionEnabled: true,
      });
      expect(table.Properties.ProvisionedThroughput).toBeUndefined();
      expect(table.DeletionPolicy, key).toBe('Retain');
      expect(table.UpdateReplacePolicy, key).toBe('Retain');
    }
  });
});

describe('functions', () => {
  it('creates one function per FUNCTIONS entry: Node.js 24 on arm64, esm bundle, source maps', () => {
    // Plus the site's deployment helpers (infra/site/, test/infra/site.test.ts).
    base.template.resourceCountIs('AWS::Lambda::Function', FUNCTION_NAMES.length + (base.stack.site ? 2 : 0));
    for (const name of FUNCTION_NAMES) {
      const fn = base.resources[base.id(base.stack.functions[name].function)]!;
      expect(fn.Properties, name).toMatchObject({
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        Handler: 'index.handler',
        MemorySize: 1024,
        Timeout: 10,
        Description: FUNCTIONS[name].description,
        Environment: { Variables: { POWERTOOLS_LOG_LEVEL: 'info' } },
      });
      // No --enable-source-maps (it costs every cold start): the logger maps logged stacks itself.
      expect(fn.Properties.Environment.Variables, name).not.toHaveProperty('NODE_OPTIONS');
    }
  });

  it('turns on Lambda active tracing and sets the Powertools service, namespace, log level and sampling', () => {
    for (const name of FUNCTION_NAMES) {
      const fn = base.resources[base.id(base.stack.functions[name].function)]!;
      expect(fn.Properties.TracingConfig, name).toEqual({ Mode: 'Active' });
      expect(tracingStatements(base, name), `${name}: X-Ray PutTraceSegments/PutTelemetryRecords`).toBe(1);
      expect(fn.Properties.Environment.Variables, name).toMatchObject({
        POWERTOOLS_SERVICE_NAME: 'fluxkart-identity',
        POWERTOOLS_METRICS_NAMESPACE: 'FluxKart/Identity',
        POWERTOOLS_LOG_LEVEL: 'info',
        POWERTOOLS_LOGGER_SAMPLE_RATE: '0',
      });
      expect(fn.Properties.Environment.Variables, name).not.toHaveProperty('LOG_LEVEL');
    }
  });

  it('writes each function log to its own log group with a one-month retention', () => {
    const groups = new Set<string>();
    for (const name of FUNCTION_NAMES) {
      const fn = base.resources[base.id(base.stack.functions[name].function)]!;
      const groupId = (fn.Properties.LoggingConfig?.LogGroup as { Ref: string } | undefined)?.Ref;
      expect(groupId, name).toBeDefined();
      expect(base.resources[groupId!]).toMatchObject({ Type: 'AWS::Logs::LogGroup', Properties: { RetentionInDays: 30 } });
      groups.add(groupId!);
    }
    expect(groups.size).toBe(FUNCTION_NAMES.length);
  });

  it('hands the physical table names to the functions that use tables', () => {
    for (const name of FUNCTION_NAMES) {
      const variables = base.resources[base.id(base.stack.functions[name].function)]!.Properties.Environment.Variables;
      const usesTables = Object.keys(FUNCTIONS[name].tables).length > 0;
      for (const key of TABLE_KEYS) {
        expect(variables[TABLES[key].envVar], `${name} ${TABLES[key].envVar}`).toEqual(
          usesTables ? { Ref: base.id(base.stack.tables[key]) } : undefined,
        );
      }
      // Declared (empty = the regional endpoint) so that `sam local --env-vars` can override it.
      expect(variables.DYNAMODB_ENDPOINT).toBe(usesTables ? '' : undefined);
    }
  });

  it('grants identify exactly its DynamoDB actions on exactly its tables', () => {
    const grants = dynamoGrants(base, 'identify');
    expect(grants).toEqual(expectedGrants('identify'));
    expect(grants).toEqual(expect.arrayContaining(['contacts:dynamodb:PutItem', 'counters:dynamodb:UpdateItem']));
    for (const forbidden of ['Scan', 'DeleteTable', 'GetRecords', 'Query']) {
      expect(grants.some((g) => g.endsWith(`:dynamodb:${forbidden}`)), forbidden).toBe(false);
    }
  });

  it('grants every function exactly what its FUNCTIONS entry lists', () => {
    // identityEvents reads its stream and publishes to its bus: test/infra/events.test.ts.
    for (const name of FUNCTION_NAMES.filter((n) => n !== 'identityEvents')) {
      expect(dynamoGrants(base, name), name).toEqual(expectedGrants(name));
    }
  });

  it('gives health and notFound no DynamoDB access at all', () => {
    for (const name of ['health', 'notFound'] as const) {
      expect(dynamoGrants(base, name), name).toEqual([]);
      const roleId = base.id(base.stack.functions[name].function.role!.node.defaultChild as CfnResource);
      const policies = ofType(base.resources, 'AWS::IAM::Policy').filter(([, p]) =>
        (p.Properties.Roles as { Ref: string }[]).some((r) => r.Ref === roleId),
      );
      expect(JSON.stringify(policies)).not.toContain('dynamodb');
    }
  });

  it('attaches no managed policy beyond basic execution', () => {
    for (const name of FUNCTION_NAMES) {
      const role = base.resources[base.id(base.stack.functions[name].function.role!.node.defaultChild as CfnResource)]!;
      expect(JSON.stringify(role.Properties.ManagedPolicyArns), name).toMatch(/AWSLambdaBasicExecutionRole"\]\]\}\]$/);
      expect(role.Properties.ManagedPolicyArns).toHaveLength(1);
    }
  });
});

describe('sample events for sam local', () => {
  const sample = (name: string) =>
    JSON.parse(readFileSync(resolve(import.meta.dirname, `../events/${name}.json`), 'utf8')) as {
      version: string;
      routeKey: string;
      rawPath: string;
      body?: string;
      requestContext: { routeKey: string; stage: string; http: { method: string; path: string } };
    };

  it('are API Gateway payload 2.0 events that the route table sends to the intended function', () => {
    for (const [name, fn] of [['identify', 'identify'], ['health', 'health'], ['not-found', 'notFound']] as const) {
      const event = sample(name);
      expect(event.version, name).toBe('2.0');
      expect(event.requestContext.routeKey).toBe(event.routeKey);
      expect(event.requestContext.stage).toBe('$default');
      expect(event.requestContext.http.path).toBe(event.rawPath);
      const match = matchRoute(event.requestContext.http.method, event.rawPath);
      expect(match?.route.function ?? 'notFound', name).toBe(fn);
      expect(event.routeKey).toBe(match ? `${match.route.method} ${match.route.path}` : '$default');
    }
    expect(JSON.parse(sample('identify').body!)).toEqual({ email: 'mcfly@hillvalley.edu', phoneNumber: '123456' });
  });
});

describe('sam local env file', () => {
  it('points every table variable at the local table names and DynamoDB Local on the host', () => {
    const file = JSON.parse(readFileSync(resolve(import.meta.dirname, '../events/sam-env.json'), 'utf8')) as {
      Parameters: Record<string, string>;
    };
    expect(file.Parameters).toMatchObject(tableEnvironment(localTableNames()));
    expect(file.Parameters.DYNAMODB_ENDPOINT).toMatch(/^http:\/\/host\.docker\.internal:\d+$/);
  });
});
