/**
 * The whole service in one stack (so `sam local` can read the API and its functions from one
 * template): the tables of lib/tables.ts, one function per FUNCTIONS entry and one HTTP API route
 * per ROUTES entry (lib/routes.ts), the `$default` route to the notFound function, a Cognito user
 * pool whose `admins` group guards the admin routes through a JWT authorizer, the change events
 * (infra/events/: the Changes stream to the identity-events function, its bus and DLQ), and the
 * alarms, alarm topic and dashboard (infra/monitoring/). What differs per stage is in
 * infra/stage.ts.
 *
 * Nothing here lists routes, functions or tables by hand: add one to lib/routes.ts or
 * lib/tables.ts and it appears in the stack.
 */
import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  HttpApi,
  HttpMethod,
  HttpStage,
  LogGroupLogDestination,
  type IHttpRouteAuthorizer,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpIamAuthorizer, HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { CfnUserPoolGroup, UserPool, UserPoolClient } from 'aws-cdk-lib/aws-cognito';
import { AttributeType, BillingMode, StreamViewType, Table, type ITable } from 'aws-cdk-lib/aws-dynamodb';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { ADMINS_GROUP } from '../lib/auth';
import { FUNCTIONS, ROUTES, type FunctionName, type Route } from '../lib/routes';
import { TABLE_KEYS, TABLES, type AttributeType as KeyType, type TableKey } from '../lib/tables';
import { IdentityEvents } from './events';
import { ServiceFunction, type LogLevelName } from './function';
import { Monitoring } from './monitoring';
import { STAGE_SETTINGS, type StageName } from './stage';
import type { ContactValueMode } from '../lib/events/change';
import { ConsoleAuth } from './auth/console-auth';
import { StorefrontSite, type StorefrontSiteProps } from './site';

/** The function behind the API's `$default` route (unknown path: 404, wrong method: 405). */
export const NOT_FOUND_FUNCTION: FunctionName = 'notFound';

export interface IdentityStackProps extends StackProps {
  /** The route table; tests pass fixtures (e.g. with an admin route). @default ROUTES */
  routes?: readonly Route[];
  /** `iam`: POST /identify (the identify function's routes) needs SigV4-signed calls. @default 'none' */
  identifyAuthorization?: 'none' | 'iam';
  /** Steady-state requests per second of the API's default stage. @default 100 */
  throttlingRateLimit?: number;
  /** Burst of the API's default stage. @default 200 */
  throttlingBurstLimit?: number;
  /** Retention of function and access logs. @default the stage's (infra/stage.ts) */
  logRetention?: RetentionDays;
  /** @default 'info' */
  logLevel?: LogLevelName;
  /** Share of invocations logged at debug level (POWERTOOLS_LOGGER_SAMPLE_RATE). @default 0 */
  logSampleRate?: number;
  /** @default 1024 */
  memorySize?: number;
  /** @default 10 */
  timeoutSeconds?: number;
  /**
   * What infra/stage.ts changes (table and user pool removal, deletion protection, PITR, log
   * retention). The app's default stage is `dev`; used directly, the stack keeps its data. @default 'prod'
   */
  stage?: StageName;
  /** Subscribed to the alarm topic. @default no subscription */
  alarmEmail?: string;
  /**
   * Tables the stack uses but does not own, by key (e.g. restored from point-in-time recovery; see
   * the README runbook). The stack's own table of that key leaves the stack (retained in prod).
   * @default none: the stack creates every table
   */
  existingTables?: Partial<Record<TableKey, { tableName: string; tableStreamArn?: string }>>;
  /** `clear`: change events carry emails and phone numbers in clear (README "Change events"). @default 'hashed' */
  eventContactValues?: ContactValueMode;
  /** Prefix of the console's Cognito domain. @default `fluxkart-<account id>` */
  authDomainPrefix?: string;
  /**
   * The storefront and console pages behind CloudFront with the API on the same origin
   * (infra/site/); `false` deploys the identity service alone. @default {} (deployed, no OIDC)
   */
  site?: Omit<StorefrontSiteProps, 'api' | 'routes'> | false;
}

export class IdentityStack extends Stack {
  readonly tables: Record<TableKey, ITable>;
  readonly functions: Record<FunctionName, ServiceFunction>;
  readonly api: HttpApi;
  readonly stage: HttpStage;
  readonly userPool: UserPool;
  readonly userPoolClient: UserPoolClient;
  readonly monitoring: Monitoring;
  readonly stageName: StageName;
  readonly events: IdentityEvents;
  /** The admin console's sign-in: Cognito domain and app client (infra/auth/console-auth.ts). */
  readonly consoleAuth: ConsoleAuth;
  readonly site?: StorefrontSite;

  constructor(scope: Construct, id: string, props: IdentityStackProps = {}) {
    super(scope, id, props);
    const routes = props.routes ?? ROUTES;
    this.stageName = props.stage ?? 'prod';
    const stage = STAGE_SETTINGS[this.stageName];
    const logRetention = props.logRetention ?? stage.logRetention;

    // Tables: exactly the keys of lib/tables.ts; names chosen by CloudFormation.
    this.tables = {} as Record<TableKey, ITable>;
    for (const key of TABLE_KEYS) {
      const existing = props.existingTables?.[key];
      if (existing) {
        this.tables[key] = Table.fromTableAttributes(this, `${pascal(key)}ExistingTable`, existing);
        continue;
      }
      const def: (typeof TABLES)[TableKey] = TABLES[key];
      const sortKey = 'sortKey' in def ? def.sortKey : undefined;
      const streamed = 'stream' in def;
      this.tables[key] = new Table(this, `${pascal(key)}Table`, {
        stream: streamed ? StreamViewType.NEW_AND_OLD_IMAGES : undefined,
        timeToLiveAttribute: 'timeToLiveAttribute' in def ? def.timeToLiveAttribute : undefined,
        partitionKey: { name: def.partitionKey.name, type: attributeType(def.partitionKey.type) },
        sortKey: sortKey ? { name: sortKey.name, type: attributeType(sortKey.type) } : undefined,
        billingMode: BillingMode.PAY_PER_REQUEST,
        pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: stage.pointInTimeRecovery },
        deletionProtection: stage.deletionProtection,
        removalPolicy: stage.dataRemovalPolicy,
      });
    }
    const tables: Record<TableKey, ITable> = this.tables;

    // Functions: one per FUNCTIONS entry, each with its own least-privilege policy.
    this.functions = {} as Record<FunctionName, ServiceFunction>;
    for (const name of Object.keys(FUNCTIONS) as FunctionName[]) {
      this.functions[name] = new ServiceFunction(this, `${pascal(name)}`, {
        name,
        definition: FUNCTIONS[name],
        tables,
        logRetention,
        logLevel: props.logLevel,
        logSampleRate: props.logSampleRate,
        memorySize: props.memorySize,
        timeout: props.timeoutSeconds ? Duration.seconds(props.timeoutSeconds) : undefined,
      });
    }

    // Change events: Changes stream -> identity-events function -> EventBridge bus (infra/events/).
    this.events = new IdentityEvents(this, 'ChangeEvents', {
      changesTable: this.tables.changes,
      streamFunction: this.functions.identityEvents.function,
      writers: (['identify', 'adminMerge', 'adminErase', 'checkout'] as const).map((name) => this.functions[name].function),
      contactValues: props.eventContactValues,
    });

    // Admin identities: a user pool without self sign-up, an app client, the `admins` group.
    this.userPool = new UserPool(this, 'AdminUserPool', {
      selfSignUpEnabled: false,
      signInAliases: { email: true },
      passwordPolicy: {
        minLength: 12,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
      },
      removalPolicy: stage.dataRemovalPolicy,
    });
    this.userPoolClient = this.userPool.addClient('AdminClient', {
      generateSecret: false,
      authFlows: { userSrp: true, adminUserPassword: true },
      disableOAuth: true, // scripts only (SRP, admin auth); the console signs in with its own client
    });
    this.consoleAuth = new ConsoleAuth(this, 'ConsoleAuth', { userPool: this.userPool, domainPrefix: props.authDomainPrefix });
    new CfnUserPoolGroup(this, 'AdminsGroup', {
      userPoolId: this.userPool.userPoolId,
      groupName: ADMINS_GROUP,
      description: 'May call the admin routes of the identity API',
    });
    // The issuer as it appears in the pool's tokens (`iss`); the ProviderURL attribute lacks https://.
    const issuer = `https://cognito-idp.${this.region}.amazonaws.com/${this.userPool.userPoolId}`;
    const adminAuthorizer = new HttpJwtAuthorizer('AdminJwtAuthorizer', issuer, {
      jwtAudience: [this.userPoolClient.userPoolClientId, this.consoleAuth.client.userPoolClientId],
      authorizerName: 'admin-jwt',
    });
    const iamAuthorizer = new HttpIamAuthorizer();

    // The HTTP API: routes from the route table, everything else to notFound.
    this.api = new HttpApi(this, 'HttpApi', {
      description: 'FluxKart identity reconciliation API',
      createDefaultStage: false,
      defaultIntegration: new HttpLambdaIntegration('DefaultIntegration', this.functions[NOT_FOUND_FUNCTION].function),
    });
    const accessLogs = new LogGroup(this, 'ApiAccessLogs', {
      retention: logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.stage = new HttpStage(this, 'DefaultStage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      throttle: {
        rateLimit: props.throttlingRateLimit ?? 100,
        burstLimit: props.throttlingBurstLimit ?? 200,
      },
      accessLogSettings: {
        destination: new LogGroupLogDestination(accessLogs),
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            ip: '$context.identity.sourceIp',
            requestTime: '$context.requestTime',
            routeKey: '$context.routeKey',
            status: '$context.status',
            protocol: '$context.protocol',
            responseLength: '$context.responseLength',
            latencyMs: '$context.responseLatency',
            integrationStatus: '$context.integrationStatus',
            integrationLatencyMs: '$context.integrationLatency',
            // The Lambda request id of the call, which the functions log as `requestId` (runbook).
            integrationRequestId: '$context.integration.requestId',
            errorMessage: '$context.error.message',
            authorizerError: '$context.authorizer.error',
          }),
        ),
      },
    });

    for (const route of routes) {
      let authorizer: IHttpRouteAuthorizer | undefined;
      if (route.auth === 'admin') authorizer = adminAuthorizer;
      else if (route.function === 'identify' && props.identifyAuthorization === 'iam') authorizer = iamAuthorizer;
      this.api.addRoutes({
        path: route.path,
        methods: [HttpMethod[route.method]],
        integration: new HttpLambdaIntegration(
          `${route.method}${route.path.replace(/[^A-Za-z0-9]+/g, '-')}Integration`,
          this.functions[route.function].function,
        ),
        authorizer,
      });
    }

    this.monitoring = new Monitoring(this, 'Monitoring', {
      api: this.api,
      functions: Object.fromEntries(Object.entries(this.functions).map(([name, fn]) => [name, fn.function])),
      tables: this.tables,
      alarmEmail: props.alarmEmail,
      events: { deadLetterQueue: this.events.deadLetterQueue, streamFunction: this.functions.identityEvents.function },
    });
    // The site (infra/site/): pages in S3 behind CloudFront, the API's routes on the same origin.
    if (props.site !== false) {
      // The console signs in with its Cognito client; the pages call Cognito's two origins.
      const { signOutUrl, ...oidc } = this.consoleAuth.runtimeConfig;
      this.site = new StorefrontSite(this, 'Site', {
        oidc: { ...oidc, signOutUrl },
        connectSources: this.consoleAuth.origins,
        ...props.site,
        api: this.api,
        routes,
      });
      this.consoleAuth.addSiteUrl(this.site.url);
    }

    new CfnOutput(this, 'ApiUrl', { value: this.stage.url, description: 'Base URL of the HTTP API' });
    new CfnOutput(this, 'UserPoolId', { value: this.userPool.userPoolId });
    new CfnOutput(this, 'UserPoolClientId', { value: this.userPoolClient.userPoolClientId });
    new CfnOutput(this, 'AlarmTopicArn', { value: this.monitoring.topic.topicArn });
    new CfnOutput(this, 'DashboardName', { value: this.monitoring.dashboard.dashboard.dashboardName });
    new CfnOutput(this, 'ConsoleClientId', { value: this.consoleAuth.client.userPoolClientId });
    new CfnOutput(this, 'ConsoleSignInDomain', { value: this.consoleAuth.domain.baseUrl() });
  }
}

function attributeType(type: KeyType): AttributeType {
  return type === 'N' ? AttributeType.NUMBER : AttributeType.STRING;
}

function pascal(name: string): string {
  return name.charAt(0).toUpperCase() + name.slice(1);
}
