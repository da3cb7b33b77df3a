/**
 * The console's session and reach in a real Chromium: tokens that live 5 seconds, so an expired
 * session signs in again (back through the provider, whose own session answers at once, to the
 * same page); every page at phone width (390 × 844) without horizontal scroll and without serious
 * axe violations; and the main task done with the keyboard alone.
 */
import { describe, expect, it } from 'vitest';
import { expectNoSeriousA11yViolations, hasHorizontalScroll, PHONE_VIEWPORT, screenshot } from '../support/browser';
import { eventually, heading, identify, signIn, useConsole } from './console-support';

const t = useConsole({ tokenTtlSeconds: 5 });

describe('console session, phone width and keyboard', { timeout: 120_000 }, () => {
  it('signs in again when the session has expired and comes back to the same page', async () => {
    await identify(t.site, 'erin@session.test', '5553001');
    const page = await t.newPage();
    await signIn(page, t.oidc.users.admin);
    const visits: string[] = [];
    page.on('request', (request) => {
      if (request.isNavigationRequest()) visits.push(new URL(request.url()).origin + new URL(request.url()).pathname);
    });
    await page.waitForTimeout(6_000); // the access token has expired
    await page.getByRole('link', { name: 'All contacts' }).click();
    await eventually(() => visits).toContain(`${t.site.baseUrl}/admin/callback`);
    await page.waitForURL((url) => url.pathname === '/admin/contacts');
    await eventually(() => heading(page)).toBe('All contacts');
    await eventually(() => page.getByRole('table').locator('tbody tr').count()).toBe(1);
    expect(visits).toContain(`${t.oidc.issuer}/auth`);
    expect(visits).toContain(`${t.site.baseUrl}/admin/callback`);
    expect(new URL(page.url()).pathname).toBe('/admin/contacts'); // the callback went back to the page
  });

  it('fits a phone-width screen on every page, without serious axe violations', async () => {
    const { primaryContactId: id } = await identify(t.site, 'fred@session.test', '5553002');
    await identify(t.site, 'fred.work@session.test', '5553002');
    await identify(t.site, 'fred@session.test', '5553012');
    const page = await t.newPage({ viewport: PHONE_VIEWPORT });
    await signIn(page, t.oidc.users.admin);
    const pages: Array<[string, string]> = [
      ['/admin/', 'Find a customer'],
      [`/admin/identity/${id}`, 'Customer identity'],
      ['/admin/reconcile', 'Identity Reconciliation Form'],
      ['/admin/contacts', 'All contacts'],
      [`/admin/merge/${id}`, 'Merge two identities'],
      [`/admin/identity/${id}/erase`, 'Erase a customer'],
      ['/admin/audit', 'Audit log'],
      ['/admin/no-such-page', 'Page not found'],
    ];
    for (const [path, title] of pages) {
      await page.goto(path);
      await eventually(() => heading(page)).toBe(title);
      await page.waitForLoadState('networkidle');
      expect(await hasHorizontalScroll(page), path).toBe(false);
      await expectNoSeriousA11yViolations(page);
      await screenshot(page, `console-phone${path.replace(/\/$/, '').replace(/\//g, '-')}`);
    }
  });

  it('finds a customer with the keyboard alone', async () => {
    const { primaryContactId: id } = await identify(t.site, 'gina@session.test', '5553003');
    const page = await t.newPage();
    await signIn(page, t.oidc.users.admin);
    const focused = () => page.evaluate('document.activeElement && (document.activeElement.getAttribute("aria-label") || document.activeElement.textContent || document.activeElement.id)') as Promise<string>;
    const reached: string[] = [];
    await page.locator('body').focus();
    for (let i = 0; i < 12; i++) {
      await page.keyboard.press('Tab');
      reached.push((await focused()).trim());
    }
    // The skip link, every navigation link, sign-out and the search form are in the tab order.
    for (const name of ['Skip to content', 'Find a customer', 'Reconciliation form', 'All contacts', 'Merge', 'Audit log', 'Sign out', 'search-value', 'Search']) {
      expect(reached, name).toContain(name);
    }
    await page.getByRole('textbox', { name: 'Email' }).focus();
    await page.keyboard.type('gina@session.test');
    await page.keyboard.press('Enter');
    await page.waitForURL(`**/admin/identity/${id}`);
    await eventually(() => heading(page)).toBe('Customer identity');
  });
});
