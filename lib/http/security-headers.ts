/**
 * The API's security headers, on every answer of every HTTP function (successes and errors).
 *
 * Written here rather than with @middy/http-security-headers: that middleware is Helmet's policy
 * set for HTML pages (a 40-feature Permissions-Policy, COEP, Origin-Agent-Cluster, a CSP with
 * `report-to` but no reporting endpoint, …), about 1 KB of headers on every JSON answer and 5 KB
 * of every function's bundle, for a configurability the API never uses. An API that only answers
 * JSON needs a fixed handful, those of OWASP's REST Security Cheat Sheet: the answer is never
 * sniffed as another type, never framed or rendered as a document with any capability, only sent
 * over HTTPS, and (with `cache-control: no-store`, set by lib/http/response.ts) never cached.
 * The pages' headers are lib/http/site-headers.ts (CloudFront and the local static server).
 */
import { HSTS_MAX_AGE_SECONDS } from './site-headers';

export const API_SECURITY_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'; sandbox",
  'strict-transport-security': `max-age=${HSTS_MAX_AGE_SECONDS}; includeSubDomains`,
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-resource-policy': 'same-origin',
});

interface Request {
  response?: { headers?: Record<string, unknown> } | null;
}

/** middy middleware: adds the headers to the answer (after the handler, and after the error mapper). */
export function securityHeaders() {
  const add = (request: Request) => {
    const response = request.response;
    if (!response || typeof response !== 'object') return;
    response.headers = { ...response.headers, ...API_SECURITY_HEADERS };
  };
  return { after: add, onError: add };
}
