/**
 * One Lambda function of the service, built from its entry in lib/routes.ts (FUNCTIONS):
 * a NodejsFunction bundled by the local esbuild (never Docker) into one self-contained ESM file,
 * its own log group with a retention, and an IAM policy that grants exactly the DynamoDB actions
 * the FUNCTIONS entry lists, on exactly those tables. Lambda active tracing is on (X-Ray traces
 * of every invocation, without the X-Ray SDK), and the Powertools variables name the service and
 * the metrics namespace (lib/powertools/constants.ts) and set the log level and debug sampling.
 */
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { LogLevel, NodejsFunction, OutputFormat, SourceMapMode } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { resolve } from 'node:path';
import { BUNDLE_ALIASES, ESM_REQUIRE_BANNER, LAMBDA_UNLOADED_MODULES } from '../lib/bundling';
import { METRICS_NAMESPACE, SERVICE_NAME } from '../lib/powertools/constants';
import type { FunctionDefinition, FunctionName } from '../lib/routes';
import { TABLE_KEYS, tableEnvironment, type TableKey, type TableNames } from '../lib/tables';

export const ROOT = resolve(import.meta.dirname, '..');

export type LogLevelName = 'debug' | 'info' | 'warn' | 'error';

export interface ServiceFunctionProps {
  name: FunctionName;
  definition: FunctionDefinition;
  /** Every table of the stack, by key (lib/tables.ts). */
  tables: Record<TableKey, ITable>;
  /** @default 1024 */
  memorySize?: number;
  /** @default 10 seconds */
  timeout?: Duration;
  /** @default one month */
  logRetention?: RetentionDays;
  /** POWERTOOLS_LOG_LEVEL. @default 'info' */
  logLevel?: LogLevelName;
  /** POWERTOOLS_LOGGER_SAMPLE_RATE: share of invocations logged at debug level, 0 to 1. @default 0 */
  logSampleRate?: number;
}

export class ServiceFunction extends Construct {
  readonly function: NodejsFunction;
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: ServiceFunctionProps) {
    super(scope, id);
    const { definition, tables } = props;
    const grants = Object.entries(definition.tables) as [TableKey, readonly string[]][];

    this.logGroup = new LogGroup(this, 'Logs', {
      retention: props.logRetention ?? RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });

    // A function that uses any table gets the names of all of them: lib/config.ts validates the
    // complete set at start-up. Names grant nothing; the IAM policy below does. DYNAMODB_ENDPOINT
    // is declared empty (= the regional endpoint) so that `sam local --env-vars` can override it
    // (SAM only overrides variables that the template declares).
    const tableEnv: Record<string, string> =
      grants.length > 0
        ? {
            ...tableEnvironment(
              Object.fromEntries(TABLE_KEYS.map((key) => [key, tables[key].tableName])) as TableNames,
            ),
            DYNAMODB_ENDPOINT: '',
          }
        : {};

    this.function = new NodejsFunction(this, 'Function', {
      entry: resolve(ROOT, definition.entry),
      handler: 'handler',
      projectRoot: ROOT,
      depsLockFilePath: resolve(ROOT, 'package-lock.json'),
      description: definition.description,
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? 1024,
      timeout: props.timeout ?? Duration.seconds(10),
      logGroup: this.logGroup,
      tracing: Tracing.ACTIVE,
      environment: {
        POWERTOOLS_SERVICE_NAME: SERVICE_NAME,
        POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
        POWERTOOLS_LOG_LEVEL: props.logLevel ?? 'info',
        POWERTOOLS_LOGGER_SAMPLE_RATE: String(props.logSampleRate ?? 0),
        // No NODE_OPTIONS=--enable-source-maps: Node would parse the source map at every cold
        // start (~20 ms for identify). The logger maps a logged error's stack itself, reading
        // the map only then (lib/powertools/source-mapped-stack.ts).
        ...tableEnv,
      },
      bundling: {
        forceDockerBundling: false,
        format: OutputFormat.ESM,
        mainFields: ['module', 'main'],
        banner: ESM_REQUIRE_BANNER,
        // The SDK version the tests ran with, not whatever the runtime happens to ship; minus the
        // modules it loads only on paths Lambda never takes (lib/bundling.ts: ~150 KB per bundle).
        bundleAwsSDK: true,
        externalModules: [...LAMBDA_UNLOADED_MODULES],
        // node:http through require, not Node's ESM facade (lib/node-http.ts: ~35 ms per cold start).
        esbuildArgs: { '--alias': Object.entries(BUNDLE_ALIASES).map(([from, to]) => `${from}=${to}`) },
        minify: true,
        // index.mjs.map beside index.mjs, for the logger's stacks; no sources content (smaller).
        sourceMap: true,
        sourceMapMode: SourceMapMode.DEFAULT,
        sourcesContent: false,
        logLevel: LogLevel.WARNING,
      },
    });

    // Least privilege: exactly the listed actions on exactly the listed tables (no indexes: the
    // service's tables have none, and a GSI is never used for correctness; see DYNAMODB-NOTES.md).
    for (const [key, actions] of grants) {
      if (actions.length === 0) continue;
      this.function.addToRolePolicy(
        new PolicyStatement({ actions: [...actions], resources: [tables[key].tableArn] }),
      );
    }
  }
}
