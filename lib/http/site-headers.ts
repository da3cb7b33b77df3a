/**
 * The security headers of the pages (web/): one definition used by the CloudFront response
 * headers policy (infra/site/) and by the local static server (lib/local/static.ts), so the pages
 * run under the same Content-Security-Policy locally as deployed. The API's own headers are set
 * by lib/http/security-headers.ts, not here.
 */

/** Two years, sub-domains included (HSTS preload's minimum is one year). */
export const HSTS_MAX_AGE_SECONDS = 63_072_000;

/**
 * The CSP: scripts and styles only from the site itself (no 'unsafe-inline', no eval), no
 * framing, no plugins. `connectSources` adds the origins the pages may call besides their own
 * (the OIDC provider's, for the console's sign-in).
 */
export function siteContentSecurityPolicy(connectSources: readonly string[] = []): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    `connect-src ${["'self'", ...connectSources].join(' ')}`,
    "frame-ancestors 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "object-src 'none'",
  ].join('; ');
}

export const PERMISSIONS_POLICY = 'camera=(), microphone=(), geolocation=(), payment=()';
export const REFERRER_POLICY = 'strict-origin-when-cross-origin';

/** The headers as the local server sends them (CloudFront sends the same through its policy). */
export function siteSecurityHeaders(connectSources: readonly string[] = []): Record<string, string> {
  return {
    'content-security-policy': siteContentSecurityPolicy(connectSources),
    'strict-transport-security': `max-age=${HSTS_MAX_AGE_SECONDS}; includeSubDomains`,
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'referrer-policy': REFERRER_POLICY,
    'permissions-policy': PERMISSIONS_POLICY,
    'cross-origin-opener-policy': 'same-origin',
  };
}

/** The origin of a URL (for connect-src), or null when it is not an absolute http(s) URL. */
export function originOf(url: string): string | null {
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'https:' || parsed.protocol === 'http:' ? parsed.origin : null;
  } catch {
    return null;
  }
}
