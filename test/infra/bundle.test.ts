/**
 * The one test that bundles for real: it synthesizes the stack into a temporary cloud assembly
 * (local esbuild, asset metadata on), finds each function's code through the template's
 * `aws:asset:path` metadata and `Handler`, and invokes that bundled file in a fresh Node process
 * (Node's own ESM loader) with the sample events of test/events against DynamoDB Local. This is what
 * `sam local invoke <LogicalId> -t cdk.out/<Stack>.template.json -e test/events/<event>.json`
 * does, without Docker. The assembly lives outside the repository, so a bundle that still needs
 * node_modules fails here as it would in Lambda.
 */
import { App, type CfnResource } from 'aws-cdk-lib';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IdentityStack } from '../../infra/identity-stack';
import { LAMBDA_UNLOADED_MODULES } from '../../lib/bundling';
import { FUNCTIONS, type FunctionName } from '../../lib/routes';
import { createTestTables } from '../support/dynamo';

type Result = { statusCode: number; headers: Record<string, string>; body: string };
type TemplateResource = { Type: string; Properties: Record<string, any>; Metadata?: Record<string, unknown> };

const run = promisify(execFile);
const EVENTS = resolve(import.meta.dirname, '../events');
const eventFile = (name: string) => join(EVENTS, `${name}.json`);

/**
 * Runs in a fresh Node process (Node's own ESM loader, as in Lambda and in SAM's container):
 * imports the handler file, invokes the export with each event in turn (one warm container),
 * and writes the results as JSON to the file named by the last argument.
 */
const INVOKER = `
import { readFileSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
const [file, exportName, resultFile, ...events] = process.argv.slice(1);
const handler = (await import(pathToFileURL(file).href))[exportName];
if (typeof handler !== 'function') throw new Error(exportName + ' is not exported by ' + file);
const results = [];
for (const [i, eventPath] of events.entries()) {
  const deadline = Date.now() + 10000;
  const context = {
    callbackWaitsForEmptyEventLoop: true, functionName: 'bundle-test', functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:bundle-test', memoryLimitInMB: '1024',
    awsRequestId: 'bundle-test-' + i, logGroupName: '/aws/lambda/bundle-test', logStreamName: 'bundle-test',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  };
  results.push(await handler(JSON.parse(readFileSync(eventPath, 'utf8')), context));
}
writeFileSync(resultFile, JSON.stringify(results));
process.exit(0);
`;

let outdir: string;
let stack: IdentityStack;
let resources: Record<string, TemplateResource>;
/** The function's environment, as `sam local invoke --env-vars` would set it. */
let functionEnv: Record<string, string>;

beforeAll(async () => {
  // Fresh tables on the run's DynamoDB Local; the invoked bundles get them through their environment.
  const tables = await createTestTables();
  functionEnv = { PATH: process.env.PATH ?? '', TZ: 'UTC', LOG_LEVEL: 'warn', ...tables.env };

  outdir = mkdtempSync(join(tmpdir(), 'fluxkart-bundle-'));
  const app = new App({ outdir, context: { 'aws:cdk:enable-asset-metadata': true } });
  stack = new IdentityStack(app, 'BundleTest', { env: { account: '123456789012', region: 'us-east-1' } });
  const assembly = app.synth();
  resources = assembly.getStackArtifact(stack.artifactId).template.Resources;
}, 120_000);

afterAll(() => {
  if (outdir) rmSync(outdir, { recursive: true, force: true });
});

/** The bundled handler file of a function, located the way SAM locates it. */
function bundledHandler(name: FunctionName): { file: string; exportName: string; assetDir: string } {
  const logicalId = stack.getLogicalId(stack.functions[name].function.node.defaultChild as CfnResource);
  const resource = resources[logicalId]!;
  expect(resource.Type).toBe('AWS::Lambda::Function');
  expect(resource.Metadata?.['aws:asset:property']).toBe('Code');
  const assetPath = resource.Metadata?.['aws:asset:path'];
  expect(typeof assetPath, `aws:asset:path of ${logicalId}`).toBe('string');
  const assetDir = resolve(outdir, assetPath as string);

  const [base, exportName] = (resource.Properties.Handler as string).split('.') as [string, string];
  const candidates = ['.mjs', '.js', '.cjs'].map((ext) => join(assetDir, base + ext)).filter((f) => existsSync(f));
  expect(candidates, `handler file ${base}.* in ${assetDir}`).toHaveLength(1);
  return { file: candidates[0]!, exportName, assetDir };
}

/** `sam local invoke` without Docker: the bundled handler, invoked with each event in one process. */
async function invoke(name: FunctionName, ...events: string[]): Promise<Result[]> {
  const { file, exportName } = bundledHandler(name);
  const resultFile = join(outdir, `result-${name}-${Date.now()}.json`);
  await run(
    process.execPath,
    ['--input-type=module', '-e', INVOKER, file, exportName, resultFile, ...events.map(eventFile)],
    { env: functionEnv, cwd: outdir, timeout: 30_000 },
  );
  return JSON.parse(readFileSync(resultFile, 'utf8')) as Result[];
}

describe('the bundled functions, invoked as sam local would', () => {
  it('bundles each function into one self-contained ESM file with its source map', async () => {
    const { assetDir } = bundledHandler('health');
    expect(readdirSync(assetDir).sort()).toEqual(['index.mjs', 'index.mjs.map']);
    const { assetDir: identifyDir } = bundledHandler('identify');
    expect(readdirSync(identifyDir).sort()).toEqual(['index.mjs', 'index.mjs.map']);
    // The AWS SDK is inside the bundle, not imported from the runtime or node_modules.
    expect(readFileSync(join(identifyDir, 'index.mjs'), 'utf8')).not.toMatch(/from\s*["']@aws-sdk\//);
  });

  it('no bundle imports node:http through the ESM facade (lib/node-http.ts), nor the modules left unloaded', () => {
    for (const name of Object.keys(stack.functions) as FunctionName[]) {
      const code = readFileSync(bundledHandler(name).file, 'utf8');
      // Matches only, so that a failure names the import rather than printing the bundle.
      expect(code.match(/\bfrom\s*["'](?:node:)?http["']/g) ?? [], name).toEqual([]);
      // What lib/bundling.ts leaves external may only appear as a dynamic import() that Lambda never runs.
      for (const external of LAMBDA_UNLOADED_MODULES) {
        expect(code.match(new RegExp(`from\\s*["']${external}["']`, 'g')) ?? [], `${name}: ${external}`).toEqual([]);
      }
    }
  });

  it('no bundle carries the fault injection or the local server (test-only code, never deployed)', () => {
    for (const name of Object.keys(stack.functions) as FunctionName[]) {
      const { sources } = JSON.parse(readFileSync(`${bundledHandler(name).file}.map`, 'utf8')) as { sources: string[] };
      expect(sources.filter((source) => /lib\/(faults\.ts|local\/)/.test(source)), name).toEqual([]);
      // The map names the project's files (so the check above can fail): at least the entry point.
      expect(sources.some((source) => source.endsWith(FUNCTIONS[name].entry)), `${name}: ${FUNCTIONS[name].entry} in the map`).toBe(true);
    }
  });

  it('identify answers test/events/identify.json with 200 and the new identity, and is idempotent', async () => {
    // Two invocations in one warm container, as two requests would be.
    const [first, again] = await invoke('identify', 'identify', 'identify');
    expect(first!.statusCode, first!.body).toBe(200);
    expect(first!.headers['content-type']).toMatch(/^application\/json/);
    const body = JSON.parse(first!.body) as { contact: Record<string, unknown> };
    expect(body).toEqual({
      contact: {
        primaryContactId: expect.any(Number),
        primaryContatctId: body.contact.primaryContactId,
        emails: ['mcfly@hillvalley.edu'],
        phoneNumbers: ['123456'],
        secondaryContactIds: [],
      },
    });
    expect(Number.isInteger(body.contact.primaryContactId) && (body.contact.primaryContactId as number) > 0).toBe(true);

    // Stored in DynamoDB Local: the same request answers the same identity.
    expect(again!.statusCode).toBe(200);
    expect(JSON.parse(again!.body)).toEqual(body);
  });

  it('health answers test/events/health.json with 200 {"status":"ok"}', async () => {
    const [result] = await invoke('health', 'health');
    expect(result!.statusCode).toBe(200);
    expect(JSON.parse(result!.body)).toEqual({ status: 'ok' });
  });

  it('notFound answers test/events/not-found.json with the SPEC error body', async () => {
    const [result] = await invoke('notFound', 'not-found');
    expect(result!.statusCode).toBe(404);
    // The request id is API Gateway's, from the event: in the body and in the header.
    expect(JSON.parse(result!.body)).toEqual({
      error: { code: expect.any(String), message: expect.any(String), requestId: 'Bx3mSiNXIAMEVHg=' },
    });
    expect(result!.headers['x-request-id']).toBe('Bx3mSiNXIAMEVHg=');
  });
});
