/**
 * The console's browser-test fixture: the local OIDC provider (lib/local/oidc.ts) on its own
 * loopback port, the local server with the pages whose JWT authorizer trusts that provider
 * (lib/local/oidc-verifier.ts), and one Chromium for the file. `signIn()` goes through the real
 * flow: the console's "Sign in" button, the provider's login form with typed credentials, the
 * redirect back with the code, PKCE token exchange. Every API response a page receives is checked
 * against openapi.json (test/support/browser-contract.ts). Also a few calls to seed data.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect } from 'vitest';
import { openLocalOidc, type LocalOidc, type LocalOidcOptions, type LocalUser } from '../../lib/local/oidc';
import { jwtAuthorizer } from '../../lib/local/oidc-verifier';
import { launchBrowser, pageOpener, startLocalSite, type BrowserFixture, type LocalSite, type PageOpener } from '../support/browser';
import { useApiContract } from '../support/browser-contract';
import { httpRequest } from '../support/http';

export const ADMIN_TOKEN = 'console-tests-admin-token-0123456789abcdef';

/** The browser fixture (test/support/browser.ts) with the file's OIDC provider. */
export interface ConsoleFixture extends BrowserFixture {
  oidc: LocalOidc;
}

export function useConsole(options: LocalOidcOptions = {}): ConsoleFixture {
  const fixture = {} as ConsoleFixture;
  let pages: PageOpener | undefined;
  fixture.contract = useApiContract(() => fixture.site.baseUrl);
  beforeAll(async () => {
    const oidc = await openLocalOidc(options);
    const [site, browser] = await Promise.all([
      startLocalSite({
        oidc: { authority: oidc.issuer, clientId: oidc.clientId, scope: oidc.scope },
        auth: { adminToken: ADMIN_TOKEN, jwt: jwtAuthorizer({ issuer: oidc.issuer, audience: [oidc.clientId] }) },
        env: { ID_BLOCK_SIZE: '10' },
      }),
      launchBrowser(),
    ]);
    await oidc.start(site.baseUrl);
    Object.assign(fixture, { oidc, site, browser });
    pages = pageOpener(browser, site.baseUrl, fixture.contract, { width: 1280, height: 900 });
    fixture.newPage = pages.newPage;
  }, 120_000);
  afterAll(async () => {
    await pages?.closeAll();
    await fixture.browser?.close();
    await fixture.site?.close();
    await fixture.oidc?.close();
  });
  return fixture;
}

/** Fills the local provider's login form (typed, as a person would) and submits it. */
export async function typeCredentials(page: Page, user: LocalUser): Promise<void> {
  await page.getByLabel('Email').waitFor();
  await page.getByLabel('Email').pressSequentially(user.username);
  await page.getByLabel('Password').pressSequentially(user.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/** Signs in from the console's sign-in page through the whole OIDC flow; ends back on `path`. */
export async function signIn(page: Page, user: LocalUser, path = '/admin/'): Promise<void> {
  await page.goto(path);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((url) => !url.pathname.startsWith('/admin'));
  await typeCredentials(page, user);
  await page.waitForURL((url) => url.pathname === path);
  await eventually(() => page.getByRole('banner').getByRole('button', { name: 'Sign out' }).count()).toBe(1);
}

/** POST /identify through the public API (seeding data as checkouts would). */
export async function identify(site: LocalSite, email: string | null, phoneNumber: string | null): Promise<{ primaryContactId: number; secondaryContactIds: number[] }> {
  const res = await httpRequest(`${site.baseUrl}/identify`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, phoneNumber }),
  });
  expect(res.status).toBe(200);
  return (res.json as { contact: { primaryContactId: number; secondaryContactIds: number[] } }).contact;
}

/** expect.poll with room for a loaded machine (the default second is too short for page loads). */
export const eventually = <T>(fn: () => T | Promise<T>) => expect.poll(fn, { timeout: 20_000, interval: 100 });

/** The page's level-1 heading text. */
export const heading = (page: Page) => page.getByRole('heading', { level: 1 }).textContent();
