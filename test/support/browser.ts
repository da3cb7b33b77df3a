/**
 * The browser-test harness: a real headless Chromium (@sparticuz/chromium's binary driven by
 * playwright-core) against the local server (lib/local/server.ts with the pages of
 * lib/local/static.ts) on an ephemeral port, backed by fresh tables on the run's DynamoDB Local.
 * One browser per test file (`useBrowser()` in a describe or at the top of the file), one
 * context per test. Every API response a page receives is checked against openapi.json, and a test
 * fails with the list of those outside it (test/support/browser-contract.ts). Helpers: screenshots into the git-ignored test-results/screenshots/, and an
 * axe check that fails on any serious or critical violation.
 */
import { mkdirSync } from 'node:fs';
import type { Server } from 'node:http';
import { closeServer, listenLocal } from './http';
import { resolve } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import chromium from '@sparticuz/chromium';
import { chromium as playwright, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, expect } from 'vitest';
import type { LocalAuthOptions } from '../../lib/local/auth';
import { createLocalServer } from '../../lib/local/server';
import { createStaticSite, type StaticSiteOptions } from '../../lib/local/static';
import { useApiContract, type ApiContractWatch } from './browser-contract';
import { createTestTables, type TestTables } from './dynamo';

export const SCREENSHOTS_DIR = resolve(import.meta.dirname, '../../test-results/screenshots');
/** A phone-width viewport (iPhone 12–15). */
export const PHONE_VIEWPORT = { width: 390, height: 844 } as const;

/**
 * @sparticuz/chromium's flags are made for Lambda; a test must not weaken what it checks, so the
 * ones that switch off the same-origin policy, mixed-content blocking and the per-process
 * separation of browser contexts (one process shares storage across contexts) are left out.
 */
const WEAKENING_FLAGS = new Set(['--disable-web-security', '--allow-running-insecure-content', '--single-process', '--disable-site-isolation-trials']);

export async function launchBrowser(): Promise<Browser> {
  const args = chromium.args.filter((arg) => !WEAKENING_FLAGS.has(arg));
  return playwright.launch({ executablePath: await chromium.executablePath(), args, headless: true });
}

export interface LocalSite {
  /** http://127.0.0.1:<port> */
  baseUrl: string;
  tables: TestTables;
  server: Server;
  close(): Promise<void>;
}

export interface LocalSiteOptions {
  /** The console's OIDC provider and any extra origins for the CSP (lib/local/static.ts). */
  oidc?: StaticSiteOptions['oidc'];
  connectSources?: StaticSiteOptions['connectSources'];
  /** Tokens of the emulated JWT authorizer (lib/local/auth.ts). */
  auth?: LocalAuthOptions;
  /** Extra environment for the handlers, set before their first import. */
  env?: Record<string, string>;
}

/**
 * The local server with the pages, on 127.0.0.1 and an ephemeral port, against fresh tables.
 * The handlers read their configuration once per process (each test file runs in its own), so
 * call this once per file.
 */
export async function startLocalSite(options: LocalSiteOptions = {}): Promise<LocalSite> {
  const tables = await createTestTables();
  Object.assign(process.env, tables.env, { LOG_LEVEL: 'warn' }, options.env);
  const site = await createStaticSite({ oidc: options.oidc, connectSources: options.connectSources });
  const server = createLocalServer({ timeoutMs: 10_000, site, auth: options.auth ?? {} });
  const baseUrl = await listenLocal(server);
  return { baseUrl, tables, server, close: () => closeServer(server) };
}

export interface BrowserFixture {
  browser: Browser;
  site: LocalSite;
  /** A fresh context (own storage, cookies) and page, its API responses contract-checked; closed at the end of the file. */
  newPage(options?: { viewport?: { width: number; height: number } }): Promise<Page>;
  /** The contract check of the pages' API responses (fails the test in afterEach). */
  contract: ApiContractWatch;
}

/**
 * Registers beforeAll/afterAll that start the local site and one browser for the test file.
 * Read the fixture's fields inside tests (they are set in beforeAll).
 */
export function useBrowser(options: LocalSiteOptions = {}): BrowserFixture {
  const fixture = {} as BrowserFixture;
  fixture.contract = useApiContract(() => fixture.site.baseUrl);
  let pages: PageOpener | undefined;
  beforeAll(async () => {
    const [site, browser] = await Promise.all([startLocalSite(options), launchBrowser()]);
    fixture.site = site;
    fixture.browser = browser;
    pages = pageOpener(browser, site.baseUrl, fixture.contract, { width: 1280, height: 800 });
    fixture.newPage = pages.newPage;
  }, 120_000);
  afterAll(async () => {
    await pages?.closeAll();
    await fixture.browser?.close();
    await fixture.site?.close();
  });
  return fixture;
}

export interface PageOpener {
  /** A fresh context (own storage, cookies) and page, its API responses contract-checked. */
  newPage(options?: { viewport?: { width: number; height: number } }): Promise<Page>;
  /** Closes every context it opened. */
  closeAll(): Promise<void>;
}

/** Opens pages on `baseUrl` for a browser fixture (useBrowser here, useConsole for the console). */
export function pageOpener(
  browser: Browser,
  baseUrl: string,
  contract: ApiContractWatch,
  defaultViewport: { width: number; height: number },
): PageOpener {
  const contexts: BrowserContext[] = [];
  return {
    newPage: async ({ viewport } = {}) => {
      const context = await browser.newContext({ baseURL: baseUrl, viewport: viewport ?? defaultViewport });
      contexts.push(context);
      const page = await context.newPage();
      contract.watch(page);
      // A page error (an uncaught exception, a CSP violation logged as an error) fails loudly.
      page.on('pageerror', (error) => {
        process.stderr.write(`page error: ${error.message}\n`);
      });
      return page;
    },
    closeAll: async () => {
      for (const context of contexts) await context.close().catch(() => undefined);
    },
  };
}

/**
 * expect.poll with a timeout that suits a browser on a loaded 2-core machine (the default is 1 s):
 * retries until the page shows what is expected, never asserts a duration.
 */
export function poll<T>(fn: () => T | Promise<T>) {
  return expect.poll(fn, { timeout: 20_000, interval: 50 });
}

/** Saves a full-page PNG as test-results/screenshots/<name>.png (git-ignored). */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOTS_DIR, { recursive: true });
  const path = resolve(SCREENSHOTS_DIR, `${name.replace(/[^\w.-]+/g, '-')}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** Runs axe on the page as it is now; fails listing every serious or critical violation. */
export async function expectNoSeriousA11yViolations(page: Page): Promise<void> {
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']).analyze();
  const serious = results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.impact}: ${v.id} (${v.help}) at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  expect(serious, `axe violations on ${page.url()}`).toEqual([]);
}

/** True when the page scrolls sideways (content wider than the viewport). */
export async function hasHorizontalScroll(page: Page): Promise<boolean> {
  // A string: the root tsconfig has no DOM types (the function runs in the page).
  return page.evaluate('document.documentElement.scrollWidth > document.documentElement.clientWidth') as Promise<boolean>;
}
