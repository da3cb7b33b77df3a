/**
 * The pages beside the API on one origin (lib/local/static.ts through lib/local/server.ts):
 * pages and assets with the site's security headers, /config.json, the console's client-side
 * routes, and the API's own answers (JSON 404/405) never replaced by a page.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pageFor } from '../../lib/local/static';
import { startLocalSite, type LocalSite } from '../support/browser';
import { httpRequest } from '../support/http';

let site: LocalSite;

beforeAll(async () => {
  site = await startLocalSite({ oidc: { authority: 'http://127.0.0.1:9/oidc', clientId: 'console', scope: 'openid email' } });
});
afterAll(() => site.close());

/** An API answer: contract-checked (test/support/http.ts). */
const get = (path: string, method = 'GET') => httpRequest(site.baseUrl + path, { method });
/** A page, an asset or /config.json: files of the site, not in the API contract. */
async function file(path: string, method = 'GET') {
  const res = await fetch(site.baseUrl + path, { method });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, json: () => JSON.parse(text) as unknown };
}

describe('static pages', () => {
  it('serves the storefront at / with the CSP, HSTS and no framing', async () => {
    const res = await file('/');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.text).toMatch(/<script type="module" crossorigin src="\/assets\/storefront-[\w-]+\.js"><\/script>/);
    const csp = res.headers.get('content-security-policy')!;
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("connect-src 'self' http://127.0.0.1:9");
    expect(res.headers.get('strict-transport-security')).toMatch(/^max-age=\d+/);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('cache-control')).toBe('no-cache');
  });

  it('serves hashed assets as immutable and HEAD without a body', async () => {
    const page = await file('/');
    const asset = /src="(\/assets\/[^"]+\.js)"/.exec(page.text)![1]!;
    const res = await file(asset);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(res.headers.get('cache-control')).toContain('immutable');
    const head = await file(asset, 'HEAD');
    expect(head.status).toBe(200);
    expect(head.text).toBe('');
  });

  it('serves the runtime configuration', async () => {
    const res = await file('/config.json');
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.json()).toStrictEqual({ apiBase: '', oidc: { authority: 'http://127.0.0.1:9/oidc', clientId: 'console', scope: 'openid email' } });
  });

  it('answers the console page for /admin and its client-side routes', async () => {
    for (const path of ['/admin', '/admin/', '/admin/identities/42', '/admin/audit']) {
      const res = await file(path);
      expect(res.status, path).toBe(200);
      expect(res.text, path).toMatch(/src="\/assets\/admin-[\w-]+\.js"/);
    }
  });

  it('leaves unknown paths, missing files and API routes to the API', async () => {
    for (const path of ['/nope', '/admin/missing.js', '/assets/missing.js', '/.build-inputs.json', '/%2e%2e/package.json', '/..%2fpackage.json']) {
      const res = await get(path);
      expect(res.status, path).toBe(404);
      expect(res.json, path).toStrictEqual({ error: { code: 'route_not_found', message: expect.any(String), requestId: res.headers.get('x-request-id') } });
    }
    const wrongMethod = await get('/identify');
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.json.error.code).toBe('method_not_allowed');
    const post = await httpRequest(`${site.baseUrl}/`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
    expect(post.status).toBe(404);
    expect(post.json.error.code).toBe('route_not_found');
    const admin = await get('/contacts');
    expect(admin.status).toBe(401);
  });

  it('maps paths to pages like the CloudFront Function does', () => {
    expect(pageFor('/')).toBe('/index.html');
    expect(pageFor('/admin')).toBe('/admin/index.html');
    expect(pageFor('/admin/x/y')).toBe('/admin/index.html');
    expect(pageFor('/admin/app.js')).toBe('/admin/app.js');
    expect(pageFor('/assets/a.js')).toBe('/assets/a.js');
  });
});
