/**
 * The console's sign-in in a real Chromium: the OIDC flow through the local provider's login form
 * (typed credentials), a wrong password refused, the non-admin's "not an administrator" page
 * (and the API's 403 for their token), sign-out.
 */
import { describe, expect, it } from 'vitest';
import { expectNoSeriousA11yViolations, screenshot } from '../support/browser';
import { httpRequest } from '../support/http';
import { eventually, signIn, typeCredentials, useConsole } from './console-support';

const t = useConsole();

describe('console sign-in', { timeout: 120_000 }, () => {
  it('signs an admin in through the OIDC flow and out again', async () => {
    const page = await t.newPage();
    await page.goto('/admin/');
    await eventually(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('FluxKart admin console');
    await expectNoSeriousA11yViolations(page);
    await screenshot(page, 'console-sign-in');

    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL((url) => url.origin === t.oidc.issuer);
    await expectNoSeriousA11yViolations(page);
    await screenshot(page, 'console-provider-login');
    // A wrong password is refused on the provider's page.
    await typeCredentials(page, { ...t.oidc.users.admin, password: 'wrong-password' });
    await eventually(() => page.getByRole('alert').textContent()).toContain('Incorrect email or password');
    await page.getByLabel('Email').fill('');
    await typeCredentials(page, t.oidc.users.admin);
    await page.waitForURL((url) => url.pathname === '/admin/');
    await eventually(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Find a customer');
    await eventually(() => page.getByText('admin@fluxkart.local').count()).toBe(1);
    // The token the console holds is a JWT of the provider, accepted by the API.
    const token = await page.evaluate(`(() => { const k = Object.keys(sessionStorage).find((k) => k.startsWith('oidc.user:')); return JSON.parse(sessionStorage.getItem(k)).access_token; })()`) as string;
    const res = await httpRequest(`${t.site.baseUrl}/contacts`, { method: 'GET', headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    const claims = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8'));
    expect(claims).toMatchObject({ iss: t.oidc.issuer, client_id: t.oidc.clientId, 'cognito:groups': ['admins'], token_use: 'access' });
    expect(claims.aud).toBe(t.oidc.clientId);

    await page.getByRole('button', { name: 'Sign out' }).click();
    // The provider asks to confirm the end of its session, then sends the browser back.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL((url) => url.origin === t.site.baseUrl && url.pathname === '/admin/');
    await eventually(() => page.getByRole('button', { name: 'Sign in' }).count()).toBe(1);
    await eventually(() => page.getByRole('button', { name: 'Sign out' }).count()).toBe(0);
    // Signed out at the provider too: signing in asks for credentials again.
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByLabel('Password').waitFor();
  });

  it('shows a non-admin the "not an administrator" page; the API refuses their token with 403', async () => {
    const page = await t.newPage();
    await signIn(page, t.oidc.users.user);
    await eventually(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Not an administrator');
    await eventually(() => page.getByRole('navigation', { name: 'Console' }).count()).toBe(0);
    await expectNoSeriousA11yViolations(page);
    await screenshot(page, 'console-not-admin');
    const token = await page.evaluate(`(() => { const k = Object.keys(sessionStorage).find((k) => k.startsWith('oidc.user:')); return JSON.parse(sessionStorage.getItem(k)).access_token; })()`) as string;
    const res = await httpRequest(`${t.site.baseUrl}/contacts`, { method: 'GET', headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(403);
    // A direct visit to a data page shows the same page, never data.
    await page.goto('/admin/contacts');
    await eventually(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Not an administrator');
  });
});
