/**
 * The whole service in one stack (so `sam local` can read the API and its functions from one
 * template): the tables of lib/tables.ts, one function per FUNCTIONS entry and one HTTP API route
 * per ROUTES entry (lib/routes.ts), the `$default` route to the notFound function, a Cognito user
 * pool whose `admins` group guards the admin routes through a JWT authorizer.
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
import { AttributeType, BillingMode, Table, type ITable } from 'aws-cdk-lib/aws-dynamodb';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { ADMINS_GROUP } from '../lib/auth';
import { FUNCTIONS, ROUTES, type FunctionName, type Route } from '../lib/routes';
import { TABLE_KEYS, TABLES, type AttributeType as KeyType, type TableKey } from '../lib/tables';
import { ConsoleAuth } from './auth/console-auth';
import { ServiceFunction, type LogLevelName } from './function';
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
  /** Retention of function and access logs. @default one month */
  logRetention?: RetentionDays;
  /** @default 'info' */
  logLevel?: LogLevelName;
  /** @default 1024 */
  memorySize?: number;
  /** @default 10 */
  timeoutSeconds?: number;
  /** Prefix of the console's Cognito domain. @default `fluxkart-<account id>` */
  authDomainPrefix?: string;
  /**
   * The storefront and console pages behind CloudFront with the API on the same origin
   * (infra/site/); `false` deploys the identity service alone. @default {} (deployed, no OIDC)
   */
  site?: Omit<StorefrontSiteProps, 'api' | 'routes'> | false;
}

export class IdentityStack extends Stack {
  readonly tables: Record<TableKey, Table>;
  readonly functions: Record<FunctionName, ServiceFunction>;
  readonly api: HttpApi;
  readonly stage: HttpStage;
  readonly userPool: UserPool;
  readonly userPoolClient: UserPoolClient;
  /** The admin console's sign-in: Cognito domain and app client (infra/auth/console-auth.ts). */
  readonly consoleAuth: ConsoleAuth;
  readonly site?: StorefrontSite;

  constructor(scope: Construct, id: string, props: IdentityStackProps = {}) {
    super(scope, id, props);
    const routes = props.routes ?? ROUTES;
    const logRetention = props.logRetention ?? RetentionDays.ONE_MONTH;

    // Tables: exactly the keys of lib/tables.ts; names chosen by CloudFormation.
    this.tables = {} as Record<TableKey, Table>;
    for (const key of TABLE_KEYS) {
      const def: (typeof TABLES)[TableKey] = TABLES[key];
      const sortKey = 'sortKey' in def ? def.sortKey : undefined;
      this.tables[key] = new Table(this, `${pascal(key)}Table`, {
        partitionKey: { name: def.partitionKey.name, type: attributeType(def.partitionKey.type) },
        sortKey: sortKey ? { name: sortKey.name, type: attributeType(sortKey.type) } : undefined,
        billingMode: BillingMode.PAY_PER_REQUEST,
        pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
        deletionProtection: true,
        removalPolicy: RemovalPolicy.RETAIN,
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
        memorySize: props.memorySize,
        timeout: props.timeoutSeconds ? Duration.seconds(props.timeoutSeconds) : undefined,
      });
    }

    // Admin identities: a user pool without self sign-up, an app client, the `admins` group.
    this.userPool = new UserPool(this, 'AdminUserPool', {
      selfSignUpEnabled: false,
      signInAliases: { email: true },
      removalPolicy: RemovalPolicy.RETAIN,
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
