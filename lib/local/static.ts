/**
 * The pages (web/dist) served by `npm start` beside the API, on the same origin, the way
 * CloudFront serves them deployed (infra/site/):
 *   - a file of the build, with the site's security headers (lib/http/site-headers.ts);
 *   - `/config.json`: the runtime configuration the stack writes at deploy time;
 *   - `/` → the storefront, `/admin`, `/admin/` and `/admin/<client route>` → the console's page.
 * The local server asks this module only for GET/HEAD requests that matched no API route, so the
 * API's own answers (404, 405, 401…) are never replaced by a page; a path that is neither a file
 * nor a page route is left to the API's JSON 404. Building the pages: lib/local/web-build.ts.
 */
import { readFile, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, resolve, sep } from 'node:path';
import { originOf, siteSecurityHeaders } from '../http/site-headers';
import { ensureWebBuild, WEB_DIST } from './web-build';

/** What the pages read from /config.json (web/src/shared/config.ts). */
export interface SiteRuntimeConfig {
  apiBase: string;
  oidc: { authority: string; clientId: string; scope: string } | null;
}

export interface StaticSiteOptions {
  /** The console's OIDC provider (e.g. the local one); null or absent: no sign-in configured. */
  oidc?: SiteRuntimeConfig['oidc'];
  /** Origins the pages may call besides their own (the OIDC authority's is added by itself). */
  connectSources?: readonly string[];
  /** @default web/dist */
  dist?: string;
  /** Build the pages first when they are missing or stale. @default true */
  build?: boolean;
  log?: (line: string) => void;
}

export interface StaticSite {
  /** Answers the request when it is a page, an asset or /config.json; false otherwise. */
  serve(req: IncomingMessage, res: ServerResponse, pathname: string): Promise<boolean>;
  readonly config: SiteRuntimeConfig;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
};

/**
 * The page a path is a client-side route of, or the path itself. The same rule as the
 * CloudFront Function of the deployed site (infra/site/spa-fallback.ts).
 */
export function pageFor(pathname: string): string {
  if (pathname === '/') return '/index.html';
  if (pathname === '/admin' || pathname.startsWith('/admin/')) {
    const last = pathname.slice(pathname.lastIndexOf('/') + 1);
    if (!last.includes('.')) return '/admin/index.html';
  }
  return pathname;
}

export async function createStaticSite(options: StaticSiteOptions = {}): Promise<StaticSite> {
  const dist = options.dist ?? WEB_DIST;
  if (options.build !== false) await ensureWebBuild({ dist, log: options.log });
  const config: SiteRuntimeConfig = { apiBase: '', oidc: options.oidc ?? null };
  const authority = config.oidc ? originOf(config.oidc.authority) : null;
  const headers = siteSecurityHeaders([...new Set([...(options.connectSources ?? []), ...(authority ? [authority] : [])])]);
  const configBody = JSON.stringify(config);

  const send = (req: IncomingMessage, res: ServerResponse, type: string, body: Buffer | string, cache: string) => {
    res.writeHead(200, { ...headers, 'content-type': type, 'cache-control': cache, 'content-length': Buffer.byteLength(body) });
    res.end(req.method === 'HEAD' ? undefined : body);
  };

  return {
    config,
    async serve(req, res, pathname) {
      if (req.method !== 'GET' && req.method !== 'HEAD') return false;
      if (pathname === '/config.json') {
        send(req, res, 'application/json', configBody, 'no-store');
        return true;
      }
      let decoded: string;
      try {
        decoded = decodeURIComponent(pageFor(pathname));
      } catch {
        return false;
      }
      // Only plain files of the build: no dot-files (.build-inputs.json), no way out of dist.
      if (decoded.includes('\0') || decoded.split('/').some((part) => part.startsWith('.'))) return false;
      const file = resolve(dist, `.${decoded}`);
      if (!file.startsWith(dist + sep)) return false;
      const info = await stat(file).catch(() => null);
      if (!info?.isFile()) return false;
      const body = await readFile(file);
      // Hashed asset names never change content; pages are revalidated on every load.
      const cache = decoded.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache';
      send(req, res, TYPES[extname(file)] ?? 'application/octet-stream', body, cache);
      return true;
    },
  };
}
