/**
 * esbuild settings for the Lambda bundles that the CDK stack (infra/function.ts) and the
 * benchmark's cold-start measurement (scripts/bench/cold-start.ts) can share, so that what is
 * measured is what is deployed. No function imports this file.
 */
import type { BuildOptions } from 'esbuild';
import { resolve } from 'node:path';

/**
 * ESM output with bundled CommonJS dependencies (parts of the AWS SDK) needs a real `require`
 * for node built-ins; esbuild's shim throws "Dynamic require of ... is not supported" otherwise.
 */
export const ESM_REQUIRE_BANNER =
  "import { createRequire as __fluxkartCreateRequire } from 'node:module'; const require = __fluxkartCreateRequire(import.meta.url);";

/**
 * Modules that the AWS SDK loads only with a dynamic `import()`, on paths a Lambda function of
 * this service never takes. Left external, the dynamic imports stay unresolved in the bundle and
 * cost nothing; bundled, esbuild would inline them (a dynamic import is not tree-shaken).
 *
 * - The credential providers of the default chain (@aws-sdk/credential-provider-node) after the
 *   environment provider: Lambda always puts the function role's credentials in the environment
 *   (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN) and sets no AWS_PROFILE, so the
 *   chain stops at its first link; locally lib/dynamo-client.ts passes static credentials. With
 *   the STS/SSO clients they pull in (@aws-sdk/nested-clients) they were about a third of a
 *   function's bundle (~130 KB of the identify function's ~380 KB).
 * - `@smithy/core/event-streams` (~20 KB): HttpProtocol.loadEventStreamCapability() imports it
 *   for operations with an event-stream member. DynamoDB and EventBridge (PutEvents) have none.
 *   test/infra/bundle.test.ts runs every bundle, so a call that did reach one of these imports
 *   would fail there ("Cannot find package"), not only in Lambda.
 */
export const LAMBDA_UNLOADED_MODULES = [
  '@aws-sdk/credential-provider-ini',
  '@aws-sdk/credential-provider-sso',
  '@aws-sdk/credential-provider-process',
  '@aws-sdk/credential-provider-web-identity',
  '@aws-sdk/credential-provider-http',
  '@aws-sdk/credential-provider-login',
  '@smithy/credential-provider-imds',
  '@smithy/core/event-streams',
] as const;

/**
 * Imports that the bundles resolve to another file (esbuild `alias`): `node:http` through
 * `require` instead of Node's ESM facade, which loads undici at import (lib/node-http.ts).
 */
export const BUNDLE_ALIASES: Readonly<Record<string, string>> = {
  'node:http': resolve(import.meta.dirname, 'node-http.ts'),
};

/**
 * The esbuild options of a Lambda bundle, as infra/function.ts asks CDK's NodejsFunction for
 * them, for the tools that call esbuild themselves (the benchmark's cold starts, the test of
 * source-mapped stacks): one minified ESM file for node24 with an external source map without
 * sources content.
 */
export const LAMBDA_ESBUILD_OPTIONS = {
  bundle: true,
  platform: 'node',
  target: 'node24',
  format: 'esm',
  mainFields: ['module', 'main'],
  banner: { js: ESM_REQUIRE_BANNER },
  minify: true,
  sourcemap: true,
  sourcesContent: false,
  external: [...LAMBDA_UNLOADED_MODULES],
  alias: { ...BUNDLE_ALIASES },
} satisfies BuildOptions;
