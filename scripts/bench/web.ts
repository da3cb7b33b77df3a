/**
 * The pages' part of `npm run bench` (README, "Storefront" → budgets):
 *   - JavaScript per page, gzipped: every script the page loads at start-up in headless Chromium
 *     (entry, its preloaded chunks and anything it imports on load), each file gzipped (level 9)
 *     from web/dist, against the budgets (storefront ≤ 60 KB, console ≤ 150 KB);
 *   - time from navigation to a usable page: a fresh browser context per run (cold cache)
 *     navigates, and the page's own clock (performance.now(), 0 = navigation start) is read the
 *     moment its first control can be used; median and p95;
 *   - POST /checkout latency beside POST /identify's (new customer; returning customer with a new
 *     email and a known phone), sequential requests over the same local HTTP API.
 * No assertion here: figures go to bench/results.md.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import chromium from '@sparticuz/chromium';
import { chromium as playwright } from 'playwright-core';
import { WEB_DIST } from '../../lib/local/web-build';
import { median, percentile } from './stats';

export const WEB_BUDGET = { storefrontJsGzipBytes: 60 * 1024, consoleJsGzipBytes: 150 * 1024 };

/** What "usable" means per page: its first control is on screen and enabled. */
const PAGES = [
  { name: 'storefront', path: '/', ready: 'main .card button:not([disabled])', budget: WEB_BUDGET.storefrontJsGzipBytes },
  { name: 'console', path: '/admin/', ready: '#app button:not([disabled]), #app a[href], #app input', budget: WEB_BUDGET.consoleJsGzipBytes },
] as const;

export interface PageResult {
  name: string;
  path: string;
  scripts: { file: string; bytes: number; gzipBytes: number }[];
  jsGzipBytes: number;
  budgetBytes: number;
  usableMs: { median: number; p95: number; runs: number } | null;
}

export interface LatencyResult {
  route: string;
  case: string;
  requests: number;
  p50: number;
  p95: number;
  p99: number;
}

export interface WebResult {
  pages: PageResult[];
  latency: LatencyResult[];
}

const WEAKENING_FLAGS = new Set(['--disable-web-security', '--allow-running-insecure-content', '--single-process', '--disable-site-isolation-trials']);

export async function measureWeb(options: { baseUrl: string; quick: boolean; log: (line: string) => void }): Promise<WebResult> {
  const browser = await playwright.launch({
    executablePath: await chromium.executablePath(),
    args: chromium.args.filter((a) => !WEAKENING_FLAGS.has(a)),
    headless: true,
  });
  const pages: PageResult[] = [];
  try {
    for (const spec of PAGES) {
      const runs = options.quick ? 5 : 15;
      const times: number[] = [];
      const scripts = new Set<string>();
      for (let i = 0; i < runs; i++) {
        const context = await browser.newContext();
        const page = await context.newPage();
        page.on('response', (res) => {
          if (res.request().resourceType() === 'script') scripts.add(new URL(res.url()).pathname);
        });
        await page.goto(options.baseUrl + spec.path, { waitUntil: 'commit' });
        try {
          // A selector, not a string predicate: the pages' CSP (script-src 'self') refuses the
          // eval that waitForFunction needs for a string, so that measure failed on the console.
          await page.waitForSelector(spec.ready, { state: 'attached', timeout: 30_000 });
          times.push(await page.evaluate(() => performance.now()));
        } catch {
          // The page never became usable (e.g. a placeholder without controls): reported as n/m.
        }
        await context.close();
      }
      const files = [...scripts].sort().map((path) => {
        const body = readFileSync(resolve(WEB_DIST, `.${path}`));
        return { file: path, bytes: body.length, gzipBytes: gzipSync(body, { level: 9 }).length };
      });
      const result: PageResult = {
        name: spec.name,
        path: spec.path,
        scripts: files,
        jsGzipBytes: files.reduce((n, f) => n + f.gzipBytes, 0),
        budgetBytes: spec.budget,
        usableMs: times.length ? { median: round(median(times)), p95: round(percentile(times, 95)), runs: times.length } : null,
      };
      pages.push(result);
      options.log(`web ${spec.name}: ${(result.jsGzipBytes / 1024).toFixed(1)} KB JS gzipped, usable after ${result.usableMs ? `${result.usableMs.median} ms (median)` : 'n/m'}`);
    }
  } finally {
    await browser.close();
  }

  // Latency, sequential: checkout beside identify, each request on its own data.
  const n = options.quick ? 30 : 150;
  const tag = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 5)}`;
  const base = 300_000_000_000 + Math.floor(Math.random() * 600_000_000_000);
  let seq = 0;
  const contact = () => ({ email: `web${++seq}.${tag}@bench.example.com`, phoneNumber: `+${base + seq}` });
  const items = [{ productId: 'flux-phone-12', quantity: 1 }, { productId: 'gigawatt-buds', quantity: 2 }];
  const post = async (path: string, body: unknown) => {
    const started = performance.now();
    const res = await fetch(options.baseUrl + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`bench web: ${path} answered ${res.status}`);
    return performance.now() - started;
  };
  const cases: { route: string; case: string; run: () => Promise<number> }[] = [
    { route: 'POST /identify', case: 'new customer', run: () => post('/identify', contact()) },
    { route: 'POST /checkout', case: 'new customer', run: () => post('/checkout', { orderId: randomUUID(), items, ...contact() }) },
    {
      route: 'POST /identify',
      case: 'known phone, new email',
      run: async () => {
        const c = contact();
        await post('/identify', c);
        return post('/identify', { ...contact(), phoneNumber: c.phoneNumber });
      },
    },
    {
      route: 'POST /checkout',
      case: 'returning customer (known phone, new email)',
      run: async () => {
        const c = contact();
        await post('/checkout', { orderId: randomUUID(), items, ...c });
        return post('/checkout', { orderId: randomUUID(), items, ...contact(), phoneNumber: c.phoneNumber });
      },
    },
  ];
  const latency: LatencyResult[] = [];
  for (const spec of cases) {
    for (let i = 0; i < 5; i++) await spec.run(); // warm-up
    const samples: number[] = [];
    for (let i = 0; i < n; i++) samples.push(await spec.run());
    const result = { route: spec.route, case: spec.case, requests: n, p50: round(percentile(samples, 50)), p95: round(percentile(samples, 95)), p99: round(percentile(samples, 99)) };
    latency.push(result);
    options.log(`web ${spec.route} ${spec.case}: p50 ${result.p50} ms, p99 ${result.p99} ms`);
  }
  return { pages, latency };
}

export function webMarkdown(web: WebResult): string {
  const kb = (b: number) => `${(b / 1024).toFixed(1)} KB`;
  const lines = ['', '#### Pages: JavaScript per page and time to a usable page (headless Chromium, local server)', ''];
  lines.push('JavaScript: every script the page loads at start-up, each file gzipped (level 9). Usable: the page\'s first control enabled, read on the page\'s clock from navigation start; a fresh browser context per run.');
  lines.push('');
  lines.push('| page | scripts | JS gzipped | budget | verdict | usable after (median) | p95 | runs |');
  lines.push('| --- | --- | ---: | ---: | --- | ---: | ---: | ---: |');
  for (const p of web.pages) {
    lines.push(
      `| ${p.name} (\`${p.path}\`) | ${p.scripts.map((s) => `${s.file.replace('/assets/', '')} ${kb(s.gzipBytes)}`).join(', ')} | ${kb(p.jsGzipBytes)} | ≤ ${kb(p.budgetBytes)} | ${p.jsGzipBytes <= p.budgetBytes ? 'pass' : '**MISS**'} | ${p.usableMs ? `${p.usableMs.median} ms` : 'n/m'} | ${p.usableMs ? `${p.usableMs.p95} ms` : 'n/m'} | ${p.usableMs?.runs ?? 0} |`,
    );
  }
  lines.push('');
  lines.push('#### POST /checkout beside POST /identify (sequential, each request on its own data)');
  lines.push('');
  lines.push('| route | case | requests | p50 ms | p95 ms | p99 ms |');
  lines.push('| --- | --- | ---: | ---: | ---: | ---: |');
  for (const l of web.latency) lines.push(`| ${l.route} | ${l.case} | ${l.requests} | ${l.p50} | ${l.p95} | ${l.p99} |`);
  lines.push('');
  return lines.join('\n');
}

function round(x: number, digits = 1): number {
  return Number(x.toFixed(digits));
}
