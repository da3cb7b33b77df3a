/**
 * esbuild settings for the Lambda bundles that the CDK stack (infra/function.ts) and the
 * benchmark's cold-start measurement (scripts/bench/cold-start.ts) can share, so that what is
 * measured is what is deployed. No function imports this file.
 */

/**
 * ESM output with bundled CommonJS dependencies (parts of the AWS SDK) needs a real `require`
 * for node built-ins; esbuild's shim throws "Dynamic require of ... is not supported" otherwise.
 */
export const ESM_REQUIRE_BANNER =
  "import { createRequire as __fluxkartCreateRequire } from 'node:module'; const require = __fluxkartCreateRequire(import.meta.url);";

/**
 * Credential providers that the AWS SDK's default chain (@aws-sdk/credential-provider-node)
 * loads with a dynamic `import()` only after the environment provider found no credentials.
 * Lambda always puts the function role's credentials in the environment (AWS_ACCESS_KEY_ID,
 * AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN) and sets no AWS_PROFILE, so the chain stops at its
 * first link and these are never loaded; locally lib/dynamo-client.ts passes static
 * credentials. Bundled, they and the STS/SSO clients they pull in (@aws-sdk/nested-clients) are
 * about a third of a function's bundle (~130 KB of the identify function's ~380 KB); left
 * external, the dynamic imports stay unresolved in the bundle and cost nothing.
 */
export const LAMBDA_UNUSED_CREDENTIAL_PROVIDERS = [
  '@aws-sdk/credential-provider-ini',
  '@aws-sdk/credential-provider-sso',
  '@aws-sdk/credential-provider-process',
  '@aws-sdk/credential-provider-web-identity',
  '@aws-sdk/credential-provider-http',
  '@aws-sdk/credential-provider-login',
  '@smithy/credential-provider-imds',
] as const;
