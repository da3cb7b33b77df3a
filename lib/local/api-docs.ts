/**
 * The API contract and its reference page, served by the local server (`npm start`), outside the
 * API's routes:
 *   GET /openapi.json             the committed OpenAPI 3.1 document (read on every request, so a
 *                                 `npm run openapi` shows without a restart)
 *   GET /docs                     the API reference page, rendered in the browser by Redoc
 *   GET /docs/redoc.standalone.js Redoc's standalone bundle, from the installed @redocly/cli (the
 *                                 file its `build-docs --inlineBundle` embeds): nothing is fetched
 *                                 from the internet, and the page's CSP allows only this origin
 *   GET /docs/init.js             starts Redoc on /openapi.json, telemetry off
 * Nothing here is deployed with the API.
 */
import { readFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../..');
export const OPENAPI_FILE = resolve(ROOT, 'openapi.json');
export const REDOC_BUNDLE = resolve(ROOT, 'node_modules/@redocly/cli/lib/chunks/redoc.standalone.js');

/**
 * Redoc injects its styles at run time (styled-components) and renders schema samples itself;
 * scripts, the document and everything else come from this origin only.
 */
export const DOCS_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "worker-src 'self' blob:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>FluxKart identity service: API reference</title>
</head>
<body>
<noscript>This page needs JavaScript. The contract itself is <a href="/openapi.json">/openapi.json</a>.</noscript>
<main id="api-reference"></main>
<script type="module" src="/docs/init.js"></script>
</body>
</html>
`;

const INIT = `import { init } from '/docs/redoc.standalone.js';
init('/openapi.json', { disableTelemetry: true, hideDownloadButtons: false }, document.getElementById('api-reference'));
`;

let redoc: Buffer | undefined;

interface Resource {
  type: string;
  body: () => string | Buffer;
  cache: string;
}

const RESOURCES: Record<string, Resource> = {
  '/openapi.json': { type: 'application/json; charset=utf-8', body: () => readFileSync(OPENAPI_FILE), cache: 'no-cache' },
  '/docs': { type: 'text/html; charset=utf-8', body: () => PAGE, cache: 'no-cache' },
  '/docs/init.js': { type: 'text/javascript; charset=utf-8', body: () => INIT, cache: 'no-cache' },
  '/docs/redoc.standalone.js': {
    type: 'text/javascript; charset=utf-8',
    body: () => (redoc ??= readFileSync(REDOC_BUNDLE)),
    cache: 'public, max-age=3600',
  },
};

/** Answers the request when it is for the document or the reference page; false otherwise. */
export function serveApiDocs(method: string, path: string, res: ServerResponse): boolean {
  const resource = RESOURCES[path === '/docs/' ? '/docs' : path];
  if (!resource) return false;
  const headers: Record<string, string> = {
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'content-security-policy': DOCS_CSP,
  };
  if (method !== 'GET' && method !== 'HEAD') {
    res.writeHead(405, { ...headers, allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' });
    res.end('Use GET.\n');
    return true;
  }
  const body = resource.body();
  res.writeHead(200, {
    ...headers,
    'content-type': resource.type,
    'cache-control': resource.cache,
    'content-length': Buffer.byteLength(body),
  });
  res.end(method === 'HEAD' ? undefined : body);
  return true;
}
