/**
 * `node:http` as the Lambda bundles see it: lib/bundling.ts aliases every import of `node:http`
 * in a bundle to this file (the stack's esbuild and the benchmark's alike). Nothing else imports it.
 *
 * Why: an ESM `import … from 'node:http'` goes through Node's ESM facade of the built-in, which
 * reads every export of the module once, and node:http's lazy `WebSocket`, `CloseEvent` and
 * `MessageEvent` getters then load undici (nodejs/node#59686). That is ~35 ms of every cold start
 * (measured with Node 24: import of the facade ~40 ms, require ~5 ms), paid for the one
 * `STATUS_CODES` that @middy/util imports. `require` hands over the module object without
 * touching those getters. The AWS SDK imports `node:http` itself only for http:// endpoints
 * (DynamoDB Local), dynamically, and reads `default`: the whole module, as here.
 *
 * Only the exports bundled code uses are re-exported: a new named import of node:http anywhere
 * in a bundle fails the build ("No matching export"), to be added here, rather than break.
 */
import { createRequire } from 'node:module';

const http = createRequire(import.meta.url)('node:http') as typeof import('node:http');

export default http;
export const { STATUS_CODES } = http;
