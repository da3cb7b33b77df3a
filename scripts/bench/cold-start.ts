/**
 * Cold start: each function of lib/routes.ts (FUNCTIONS) bundled as the CDK stack bundles it
 * (infra/function.ts: esbuild, one minified ESM file for node24, the AWS SDK bundled, the
 * createRequire banner, lib/bundling.ts's aliases, an external source map without sources
 * content), beside baselines bundled the same way: a hello-world handler; the same importing
 * node:http, bundled without the aliases (Node's ESM facade of node:http, which @middy/util
 * imports: what every middy function paid before lib/node-http.ts); an "SDK baseline" that only
 * creates a DynamoDB document client and answers with one BatchGetItem (the budget's baseline);
 * "sdkKnownContact", the bare SDK doing identify's storage work for the measured event (the
 * claims, then the primary: identify's like-for-like baseline); and "stackFloor", that same work
 * inside the middy + Powertools + zod stack every function must use, with none of the service's
 * code. A fresh `node` process (the project's node 24) imports a bundle and answers one event; the
 * figure is the time from the process's start (performance.timeOrigin) to the answer, median of
 * several processes, interleaved.
 * No NODE_OPTIONS, as in the stack (the logger source-maps a logged stack itself, reading the map
 * only then: lib/powertools/source-mapped-stack.ts); identify is also measured with
 * --enable-source-maps, which makes Node parse the source map at import, to show what it costs.
 *
 * External modules: whatever infra/function.ts uses. While it bundles everything
 * (externalModules: []), the identify function is also measured with the credential providers
 * that Lambda never loads left external (lib/bundling.ts), as a proposal.
 */
import { build } from 'esbuild';
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { LAMBDA_ESBUILD_OPTIONS, LAMBDA_UNLOADED_MODULES } from '../../lib/bundling';
import { FUNCTIONS, type FunctionName } from '../../lib/routes';
import { median } from './stats';

const ROOT = resolve(import.meta.dirname, '../..');
const OUT = resolve(ROOT, 'bench/tmp/cold-start');

/** The external modules infra/function.ts bundles with: the shared list once it uses it, else none. */
function stackExternals(): string[] {
  let text = '';
  try {
    text = readFileSync(resolve(ROOT, 'infra/function.ts'), 'utf8');
  } catch {
    return [];
  }
  return text.includes('LAMBDA_UNLOADED_MODULES') ? [...LAMBDA_UNLOADED_MODULES] : [];
}

export interface BundleResult {
  name: string;
  /** Modules left out of the bundle. */
  external: string[];
  bytes: number;
  /** Largest contributors to the minified output, by package (or "app" for the project's code). */
  topInputs: Array<{ source: string; bytes: number }>;
  file: string;
}

export interface ColdStartResult extends BundleResult {
  /** Process start to first answer, ms, median. */
  startToAnswerMs: number;
  /** import() of the bundle, ms, median. */
  importMs: number;
  /** First handler call, ms, median. */
  firstAnswerMs: number;
  /** Parent's spawn to child exit, ms, median. */
  processWallMs: number;
  runs: number;
  status: number | undefined;
}

async function bundle(name: string, entry: string, external: string[], aliases = true): Promise<BundleResult> {
  const dir = join(OUT, name.replace(/[^a-zA-Z0-9]+/g, '-'));
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'index.mjs');
  const result = await build({
    ...LAMBDA_ESBUILD_OPTIONS,
    entryPoints: [entry],
    outfile: file,
    external,
    alias: aliases ? LAMBDA_ESBUILD_OPTIONS.alias : {},
    metafile: true,
    logLevel: 'warning',
  });
  const inputs = Object.values(result.metafile.outputs).find((o) => o.entryPoint !== undefined)?.inputs ?? {};
  const bySource = new Map<string, number>();
  for (const [path, { bytesInOutput }] of Object.entries(inputs)) {
    const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
    const source = m ? m[1]! : 'app';
    bySource.set(source, (bySource.get(source) ?? 0) + bytesInOutput);
  }
  const topInputs = [...bySource]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 6)
    .map(([source, bytes]) => ({ source, bytes }));
  return { name, external, bytes: statSync(file).size, topInputs, file };
}

/** The SDK baselines' client, created at import as a plain SDK function would. */
const SDK_CLIENT = `
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
const endpoint = process.env.DYNAMODB_ENDPOINT || undefined;
const db = DynamoDBDocumentClient.from(new DynamoDBClient({
  region: process.env.AWS_REGION,
  endpoint,
  credentials: endpoint ? { accessKeyId: 'local', secretAccessKey: 'local' } : undefined,
}));
`;

/** The least a DynamoDB-backed function does: create the SDK client, send one BatchGetItem, answer. */
const SDK_BASELINE = `${SDK_CLIENT}
export const handler = async (event) => {
  const { email, phoneNumber } = JSON.parse(event.body);
  const out = await db.send(new BatchGetCommand({ RequestItems: {
    [process.env.EMAILS_TABLE]: { Keys: [{ email }], ConsistentRead: true },
    [process.env.PHONES_TABLE]: { Keys: [{ phone: phoneNumber }], ConsistentRead: true },
  } }));
  return { statusCode: 200, body: JSON.stringify(out.Responses) };
};
`;

/**
 * The bare SDK doing the storage work of identify's measured answer (a known contact, SPEC's two
 * round trips): the claims' BatchGetItem, then the primary's row by the claim's hint
 * (lib/store/dynamodb/items.ts: key {bucket: floor(id / 1000), id}), then answer. The same work as
 * identify without the service around it: what the function adds over it is its own code.
 */
const SDK_KNOWN_CONTACT = `${SDK_CLIENT}
export const handler = async (event) => {
  const { email, phoneNumber } = JSON.parse(event.body);
  const claims = await db.send(new BatchGetCommand({ RequestItems: {
    [process.env.EMAILS_TABLE]: { Keys: [{ email }], ConsistentRead: true },
    [process.env.PHONES_TABLE]: { Keys: [{ phone: phoneNumber }], ConsistentRead: true },
  } }));
  const claim = [...(claims.Responses[process.env.EMAILS_TABLE] ?? []), ...(claims.Responses[process.env.PHONES_TABLE] ?? [])][0];
  const id = Number(claim.primaryId);
  const rows = await db.send(new BatchGetCommand({ RequestItems: {
    [process.env.CONTACTS_TABLE]: { Keys: [{ bucket: Math.floor(id / 1000), id }], ConsistentRead: true },
  } }));
  return { statusCode: 200, body: JSON.stringify(rows.Responses) };
};
`;

/**
 * sdkKnownContact inside the stack issue 9 requires of every function, and nothing of the
 * service: middy with Powertools' Logger and Metrics middlewares (the ColdStart metric too), the
 * JSON body parser, a zod/mini parse of the two fields, one log line and one metric. What a
 * function on that stack pays before any code of its own: identify's budget is measured against
 * sdkBaseline, and this row shows how much of the allowance the required stack alone takes.
 */
const STACK_FLOOR = `
import middy from '@middy/core';
import httpJsonBodyParser from '@middy/http-json-body-parser';
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import * as z from 'zod/mini';
${SDK_KNOWN_CONTACT.replace('export const handler = async (event) => {', 'const lookup = async (event) => {')}
const logger = new Logger();
const metrics = new Metrics();
const Body = z.object({ email: z.nullish(z.string()), phoneNumber: z.nullish(z.union([z.string(), z.number()])) });
export const handler = middy()
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics, { captureColdStartMetric: true }))
  .use(httpJsonBodyParser())
  .handler(async (event) => {
    const { email, phoneNumber } = Body.parse(event.body);
    const answer = await lookup({ body: JSON.stringify({ email, phoneNumber: phoneNumber == null ? phoneNumber : String(phoneNumber) }) });
    metrics.addMetric('Lookups', 'Count', 1);
    logger.info('request', { status: answer.statusCode });
    return answer;
  });
`;

const RUNNER = `
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
const [bundle, eventFile] = process.argv.slice(2);
const event = JSON.parse(readFileSync(eventFile, 'utf8'));
const context = { awsRequestId: 'cold-start', functionName: 'bench', getRemainingTimeInMillis: () => 10000, callbackWaitsForEmptyEventLoop: false };
const t0 = performance.now();
const mod = await import(pathToFileURL(bundle).href);
const t1 = performance.now();
const result = await mod.handler(event, context);
const t2 = performance.now();
process.stdout.write('\\nCOLD_START ' + JSON.stringify({ importMs: t1 - t0, firstAnswerMs: t2 - t1, startToAnswerMs: t2, status: result?.statusCode }) + '\\n');
process.exit(0);
`;

function runOnce(bundleFile: string, eventFile: string, env: NodeJS.ProcessEnv) {
  return new Promise<{ importMs: number; firstAnswerMs: number; startToAnswerMs: number; wallMs: number; status?: number }>(
    (resolvePromise, reject) => {
      const started = performance.now();
      const child = spawn(process.execPath, [join(OUT, 'runner.mjs'), bundleFile, eventFile], {
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      let err = '';
      child.stdout.on('data', (c: Buffer) => (out += c.toString()));
      child.stderr.on('data', (c: Buffer) => (err += c.toString()));
      child.on('error', reject);
      child.on('exit', (code) => {
        const wallMs = performance.now() - started;
        const line = out.split('\n').find((l) => l.startsWith('COLD_START '));
        if (code !== 0 || !line) {
          reject(new Error(`cold start of ${bundleFile} failed (exit ${code}): ${err.slice(-400)}`));
          return;
        }
        resolvePromise({ ...JSON.parse(line.slice('COLD_START '.length)), wallMs });
      });
    },
  );
}

function httpEvent(method: string, path: string, body?: unknown) {
  const now = new Date();
  return {
    version: '2.0',
    routeKey: `${method} ${path}`,
    rawPath: path,
    rawQueryString: '',
    headers: { 'content-type': 'application/json', host: 'localhost' },
    requestContext: {
      accountId: 'local',
      apiId: 'local',
      domainName: 'localhost',
      domainPrefix: 'localhost',
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'bench' },
      requestId: 'cold-start',
      routeKey: `${method} ${path}`,
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
    isBase64Encoded: false,
  };
}

/**
 * Bundles and cold-starts every function and a hello-world bundle. `identifyBody` is a request
 * the tables in `env` already know (so the first answer reads and writes nothing new).
 */
export async function measureColdStarts(options: {
  runs: number;
  env: Record<string, string>;
  identifyBody: unknown;
}): Promise<{
  hello: ColdStartResult;
  helloNodeHttp: ColdStartResult;
  sdkBaseline: ColdStartResult;
  sdkKnownContact: ColdStartResult;
  stackFloor: ColdStartResult;
  functions: ColdStartResult[];
  proposals: ColdStartResult[];
}> {
  mkdirSync(OUT, { recursive: true });
  writeFileSync(join(OUT, 'runner.mjs'), RUNNER);
  const helloSrc = join(OUT, 'hello-src.mjs');
  writeFileSync(
    helloSrc,
    "export const handler = async () => ({ statusCode: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ hello: 'world' }) });\n",
  );

  const helloHttpSrc = join(OUT, 'hello-http-src.mjs');
  writeFileSync(
    helloHttpSrc,
    "import { STATUS_CODES } from 'node:http';\nexport const handler = async () => ({ statusCode: 200, body: STATUS_CODES[200] });\n",
  );
  const sdkSrc = join(OUT, 'sdk-src.mjs');
  writeFileSync(sdkSrc, SDK_BASELINE);
  const sdkKnownSrc = join(OUT, 'sdk-known-src.mjs');
  writeFileSync(sdkKnownSrc, SDK_KNOWN_CONTACT);
  const stackFloorSrc = join(OUT, 'stack-floor-src.mjs');
  writeFileSync(stackFloorSrc, STACK_FLOOR);

  const identifyEvent = httpEvent('POST', '/identify', options.identifyBody);
  const events: Record<string, unknown> = {
    hello: httpEvent('GET', '/hello'),
    sdkBaseline: identifyEvent,
    sdkKnownContact: identifyEvent,
    stackFloor: identifyEvent,
    identify: identifyEvent,
    health: httpEvent('GET', '/health'),
    notFound: httpEvent('GET', '/no-such-route'),
    // The stream function: import plus one (empty) batch; publishing needs EventBridge, not here.
    identityEvents: { Records: [] },
  };
  const external = stackExternals();
  const targets: Array<{
    name: string;
    entry: string;
    external: string[];
    event: string;
    kind: 'baseline' | 'function' | 'proposal';
    nodeOptions?: string;
    /** false: without lib/bundling.ts's aliases (to show what they save). */
    aliases?: boolean;
  }> = [
    { name: 'hello', entry: helloSrc, external, event: 'hello', kind: 'baseline' },
    { name: 'helloNodeHttp', entry: helloHttpSrc, external, event: 'hello', kind: 'baseline', aliases: false },
    { name: 'sdkBaseline', entry: sdkSrc, external, event: 'sdkBaseline', kind: 'baseline' },
    { name: 'sdkKnownContact', entry: sdkKnownSrc, external, event: 'sdkKnownContact', kind: 'baseline' },
    { name: 'stackFloor', entry: stackFloorSrc, external, event: 'stackFloor', kind: 'baseline' },
    ...(Object.keys(FUNCTIONS) as FunctionName[]).map((name) => ({
      name,
      entry: resolve(ROOT, FUNCTIONS[name].entry),
      external,
      event: name,
      kind: 'function' as const,
    })),
  ];
  if (external.length === 0) {
    targets.push({
      name: 'identify (proposed: unused credential providers external)',
      entry: resolve(ROOT, FUNCTIONS.identify.entry),
      external: [...LAMBDA_UNLOADED_MODULES],
      event: 'identify',
      kind: 'proposal',
    });
  }
  targets.push({
    name: 'identify (with --enable-source-maps)',
    entry: resolve(ROOT, FUNCTIONS.identify.entry),
    external,
    event: 'identify',
    kind: 'proposal',
    nodeOptions: '--enable-source-maps',
  });
  const bundles = await Promise.all(targets.map((t) => bundle(t.name, t.entry, t.external, t.aliases)));
  const eventFiles = new Map<string, string>();
  for (const t of targets) {
    const file = join(OUT, `${t.event}.event.json`);
    writeFileSync(file, JSON.stringify(events[t.event] ?? httpEvent('GET', '/')));
    eventFiles.set(t.name, file);
  }
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    LOG_LEVEL: 'info',
    AWS_REGION: 'us-east-1',
    // What Lambda sets, so that Powertools does its cold-start work (the ColdStart EMF line) as there.
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
    POWERTOOLS_SERVICE_NAME: 'fluxkart-identity',
    POWERTOOLS_METRICS_NAMESPACE: 'FluxKart/Identity',
    EVENT_BUS_NAME: 'bench-bus',
    ...options.env,
  };

  const samples = new Map<string, Array<Awaited<ReturnType<typeof runOnce>>>>();
  // Interleaved, so that machine noise spreads over all bundles alike; one unmeasured round first.
  for (let run = -1; run < options.runs; run++) {
    for (const b of bundles) {
      const nodeOptions = targets.find((t) => t.name === b.name)!.nodeOptions;
      const sample = await runOnce(b.file, eventFiles.get(b.name)!, nodeOptions === undefined ? env : { ...env, NODE_OPTIONS: nodeOptions });
      if (run >= 0) (samples.get(b.name) ?? samples.set(b.name, []).get(b.name)!).push(sample);
    }
  }
  const results = bundles.map((b): ColdStartResult => {
    const s = samples.get(b.name)!;
    return {
      ...b,
      startToAnswerMs: median(s.map((x) => x.startToAnswerMs)),
      importMs: median(s.map((x) => x.importMs)),
      firstAnswerMs: median(s.map((x) => x.firstAnswerMs)),
      processWallMs: median(s.map((x) => x.wallMs)),
      runs: s.length,
      status: s[0]?.status,
    };
  });
  const kind = (name: string) => targets.find((t) => t.name === name)!.kind;
  return {
    hello: results[0]!,
    helloNodeHttp: results[1]!,
    sdkBaseline: results[2]!,
    sdkKnownContact: results[3]!,
    stackFloor: results[4]!,
    functions: results.filter((r) => kind(r.name) === 'function'),
    proposals: results.filter((r) => kind(r.name) === 'proposal'),
  };
}
