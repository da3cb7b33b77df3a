/**
 * The local API reference: GET /openapi.json serves the committed document, and GET /docs renders
 * it in a real headless Chromium with Redoc from this machine only: nothing reaches the internet.
 * Two things the page's CSP refuses, on purpose, and Redoc copes with: its attribution badge's logo
 * on Redocly's CDN (blocked before it leaves the browser; the badge shows its text only), and its
 * probe for `Function()` to run search in a worker (search then runs on the page, tested here).
 */
import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { closeServer, listenLocal } from '../support/http';
import { resolve } from 'node:path';
import chromium from '@sparticuz/chromium';
import { chromium as playwright, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalServer } from '../../lib/local/server';
import { useApiContract } from '../support/browser-contract';

let server: Server;
let base: string;
let browser: Browser;
const contract = useApiContract(() => base);

beforeAll(async () => {
  server = createLocalServer({ timeoutMs: 10_000, auth: {} });
  base = await listenLocal(server);
  browser = await playwright.launch({ executablePath: await chromium.executablePath(), args: chromium.args, headless: true });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await closeServer(server);
});

describe('the API contract served by npm start', () => {
  it('GET /openapi.json is the committed document', async () => {
    const res = await fetch(`${base}/openapi.json`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await res.text()).toBe(readFileSync(resolve(import.meta.dirname, '../../openapi.json'), 'utf8'));
    expect((await fetch(`${base}/openapi.json`, { method: 'POST' })).status).toBe(405);
  });

  it('GET /docs renders every operation with local scripts only, within its CSP', async () => {
    const page = await browser.newPage();
    contract.watch(page); // Redoc fetches /openapi.json (a file of the site, not an API answer): nothing to check
    const outside: string[] = [];
    const problems: string[] = [];
    const REDOC_BADGE = /^https:\/\/cdn\.redoc\.ly\/redoc\/logo-mini(-full)?\.svg$/;
    const isLocal = (url: string) => url.startsWith(base) || url.startsWith('data:') || url.startsWith('blob:');
    page.on('request', (request) => {
      if (!isLocal(request.url()) && !REDOC_BADGE.test(request.url())) outside.push(request.url());
    });
    page.on('requestfinished', (request) => {
      if (!isLocal(request.url())) outside.push(`fetched ${request.url()}`);
    });
    const EXPECTED = [
      /^CSP violation: img-src https:\/\/cdn\.redoc\.ly\/redoc\/logo-mini(-full)?\.svg /,
      /^CSP violation: script-src eval http:\/\/127\.0\.0\.1:\d+\/docs\/redoc\.standalone\.js$/,
      /^Loading the image 'https:\/\/cdn\.redoc\.ly\/redoc\/logo-mini(-full)?\.svg' violates /,
    ];
    page.on('console', (message) => {
      if (message.type() === 'error' && !EXPECTED.some((known) => known.test(message.text()))) problems.push(message.text());
    });
    page.on('pageerror', (error) => problems.push(error.message));
    // Runs in the page (a string: this project's TypeScript has no DOM types).
    await page.addInitScript({
      content:
        "document.addEventListener('securitypolicyviolation', (e) => console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}`));",
    });

    const res = await page.goto(`${base}/docs`);
    expect(res?.status()).toBe(200);
    expect(res?.headers()['content-security-policy']).toMatch(/script-src 'self'/);
    // Polled from here: a string evaluated in the page would be refused by its CSP (no 'unsafe-eval').
    const shows = (text: string) =>
      expect.poll(() => page.locator('body').innerText(), { timeout: 60_000, interval: 250 }).toContain(text);
    await shows('Customer identity reconciliation, for the checkout.');
    // The menu names every tag; the first operations are rendered with their paths (Redoc renders lazily).
    for (const part of ['FluxKart identity service (1.0.0)', '/identify', 'Checkout', '/checkout', 'Health', 'Admin', 'x-request-id']) {
      await shows(part);
    }
    // One operation's page: its request body and responses, the deprecated alias among them.
    await page.getByText('/identify', { exact: true }).first().click();
    await shows('Reconcile a checkout’s contact into a customer identity');
    await shows('primaryContatctId');
    // Search (on the page: the CSP refuses the worker's Function()).
    await page.getByText('Search', { exact: false }).first().click();
    await page.keyboard.type('merge');
    await page.getByText(/Merges the identities of the two contacts/).first().waitFor({ state: 'visible', timeout: 30_000 });
    expect(outside).toEqual([]);
    expect(problems).toEqual([]);
    await page.close();
  }, 120_000);
});
