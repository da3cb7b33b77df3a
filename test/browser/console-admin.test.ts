/**
 * The console's work in a real Chromium, signed in as the seeded admin through the local OIDC
 * provider: find a customer by email, phone and id (the identity's picture has one node per
 * contact, the orders panel lists the orders the customer placed through POST /checkout, newest
 * first, and after a merge those of both customers), the reconciliation form with the API's error, a merge with preview and confirmation,
 * an erasure with typed confirmation (a lookup afterwards finds nothing), contact and audit
 * paging. Every page is checked with axe (no serious or critical violation) and screenshotted; no
 * URL the browser visits or requests ever carries an email or a phone number.
 */
import { randomUUID } from 'node:crypto';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectNoSeriousA11yViolations, screenshot } from '../support/browser';
import { httpRequest } from '../support/http';
import { ADMIN_TOKEN, eventually, heading, identify, signIn, useConsole } from './console-support';

const t = useConsole();
const urls: string[] = [];
let page: Page;
let anna: number;
let annaB: number;
let bob: number;
/** Order numbers, oldest first. */
const annaOrders: string[] = [];
let bobOrder: string;

const PERSONAL = /@|555\d{4}/;

async function adminCall(method: string, path: string, body?: unknown) {
  const res = await httpRequest(`${t.site.baseUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  expect(res.status, res.text).toBe(200);
  return res.json;
}

/** An order through the storefront's API (POST /checkout); answers its order number. */
async function checkout(contact: { email?: string; phoneNumber?: string }, productId = 'flux-phone-12'): Promise<string> {
  const res = await fetch(`${t.site.baseUrl}/checkout`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ orderId: randomUUID(), items: [{ productId, quantity: 1 }], ...contact }),
  });
  const body = (await res.json()) as any;
  expect(res.status, JSON.stringify(body)).toBe(200);
  return body.order.orderNumber as string;
}

/** The order numbers the identity page's orders panel shows, top to bottom. */
const orderNumbers = () => page.getByRole('region', { name: 'Orders', exact: true }).locator('tbody th').allTextContents();

const nodes = () => page.getByTestId('identity-graph').locator('[data-contact-id]');
const rows = () => page.getByRole('table').first().locator('tbody tr');

beforeAll(async () => {
  anna = (await identify(t.site, 'anna@console.test', '5550001')).primaryContactId;
  annaB = (await identify(t.site, 'anna.b@console.test', '5550001')).secondaryContactIds[0]!;
  await identify(t.site, 'anna@console.test', '5550002');
  bob = (await identify(t.site, 'bob@console.test', '5559001')).primaryContactId;
  await identify(t.site, 'bob.b@console.test', '5559001');
  // Orders under Anna's identity through two of its values, and one of Bob's.
  annaOrders.push(await checkout({ email: 'anna@console.test' }));
  await new Promise((resolve) => setTimeout(resolve, 5));
  annaOrders.push(await checkout({ phoneNumber: '5550002' }, 'gigawatt-buds'));
  bobOrder = await checkout({ email: 'bob.b@console.test' });
  page = await t.newPage();
  page.on('framenavigated', (frame) => urls.push(frame.url()));
  page.on('request', (request) => urls.push(request.url()));
}, 120_000);

describe('admin console', { timeout: 120_000 }, () => {
  it('finds a customer by email, phone and contact id; shows the identity and its picture', async () => {
    await signIn(page, t.oidc.users.admin);
    await expectNoSeriousA11yViolations(page);
    await screenshot(page, 'console-find');
    // By email (the default): the value goes in the body of POST /identities/lookup.
    await page.getByRole('textbox', { name: 'Email' }).fill('ANNA.B@console.test');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.waitForURL(`**/admin/identity/${anna}`);
    await eventually(() => heading(page)).toBe('Customer identity');
    await eventually(() => rows().count()).toBe(3);
    await expect(page.getByRole('heading', { name: `Primary contact ${anna}` }).count()).resolves.toBe(1);
    for (const value of ['anna@console.test', 'anna.b@console.test', '5550001', '5550002']) {
      await expect(page.getByRole('listitem').filter({ hasText: new RegExp(`^${value.replace('.', '\\.')}$`) }).count()).resolves.toBe(1);
    }
    // The picture: one node per contact, the primary marked, edges for the shared values.
    await expect(nodes().count()).resolves.toBe(3);
    await expect(page.locator('.node.primary').getAttribute('data-contact-id')).resolves.toBe(String(anna));
    await expect(page.getByTestId('identity-graph').locator('line.edge.phone').count()).resolves.toBe(1);
    await expect(page.getByTestId('identity-graph').locator('line.edge.email').count()).resolves.toBe(1);
    await expect(page.getByRole('img', { name: /Identity graph: 3 contacts, primary/ }).count()).resolves.toBe(1);
    // The orders panel: Anna's orders, newest first, with their lines and totals.
    await eventually(orderNumbers).toEqual([...annaOrders].reverse());
    const orders = page.getByRole('region', { name: 'Orders', exact: true });
    await expect(orders.textContent()).resolves.toContain('1 × Flux Phone 12');
    await expect(orders.textContent()).resolves.toMatch(/\$\d[\d,]*\.\d\d/);
    await expectNoSeriousA11yViolations(page);
    await screenshot(page, 'console-identity');

    // By phone.
    await page.getByRole('link', { name: 'Find a customer' }).click();
    await page.getByRole('radio', { name: 'Phone number' }).check();
    await page.getByRole('textbox', { name: 'Phone number' }).fill('555 9001');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.waitForURL(`**/admin/identity/${bob}`);
    await eventually(() => nodes().count()).toBe(2);
    await eventually(orderNumbers).toEqual([bobOrder]);

    // By contact id: a secondary opens its identity.
    await page.getByRole('link', { name: 'Find a customer' }).click();
    await page.getByRole('radio', { name: 'Contact id' }).check();
    await page.getByRole('textbox', { name: 'Contact id' }).fill(String(annaB));
    await page.keyboard.press('Enter');
    await page.waitForURL(`**/admin/identity/${annaB}`);
    await eventually(() => page.getByText(`Contact ${annaB} is a secondary of this identity.`).count()).toBe(1);
    await expect(nodes().count()).resolves.toBe(3);

    // Unknown values: a clear message, no navigation.
    await page.getByRole('link', { name: 'Find a customer' }).click();
    await page.getByRole('textbox', { name: 'Email' }).fill('nobody@console.test');
    await page.getByRole('button', { name: 'Search' }).click();
    await eventually(() => page.getByRole('alert').textContent()).toContain('No identity has these values');
    await expectNoSeriousA11yViolations(page);
    await page.goto('/admin/identity/999999');
    await eventually(() => page.getByRole('alert').textContent()).toContain('No customer has contact id 999999');
  });

  it('answers the Identity Reconciliation Form, with the API error for invalid input', async () => {
    await page.getByRole('link', { name: 'Reconciliation form' }).click();
    await eventually(() => heading(page)).toBe('Identity Reconciliation Form');
    await page.getByRole('textbox', { name: 'Email' }).fill('not-an-email');
    await page.getByRole('button', { name: 'Reconcile' }).click();
    await eventually(() => page.getByRole('alert').textContent()).toContain('invalid_email');
    await page.getByRole('textbox', { name: 'Email' }).fill('bob.b@console.test');
    await page.getByRole('textbox', { name: 'Phone number' }).fill('5550002');
    await page.getByRole('button', { name: 'Reconcile' }).click();
    await eventually(() => page.getByRole('heading', { name: 'These values belong to two identities' }).count()).toBe(1);
    await page.getByRole('textbox', { name: 'Phone number' }).fill('');
    await page.getByRole('button', { name: 'Reconcile' }).click();
    await eventually(() => page.getByRole('heading', { name: 'Consolidated identity' }).count()).toBe(1);
    await expect(page.getByRole('link', { name: String(bob), exact: true }).count()).resolves.toBe(1);
    await expectNoSeriousA11yViolations(page);
    await screenshot(page, 'console-reconcile');
  });

  it('merges two identities after a preview and a confirmation; shows the result and its audit entry', async () => {
    await page.goto(`/admin/identity/${bob}`);
    await page.getByRole('link', { name: 'Merge with another identity' }).click();
    await page.waitForURL(`**/admin/merge/${bob}`);
    await expect(page.getByRole('textbox', { name: 'First contact id' }).inputValue()).resolves.toBe(String(bob));
    await page.getByRole('textbox', { name: 'Second contact id' }).fill(String(annaB));
    await page.getByRole('button', { name: 'Preview merge' }).click();
    const preview = page.getByRole('region', { name: 'Preview' });
    await eventually(() => preview.textContent()).toContain(`Contact ${anna} stays primary`);
    await expect(preview.textContent()).resolves.toContain(`Contact ${bob} (created`);
    await expect(preview.textContent()).resolves.toContain('5 contacts');
    // Nothing changed yet.
    expect((await adminCall('GET', `/identities/${bob}`)).contact.primaryContactId).toBe(bob);
    await expectNoSeriousA11yViolations(page);
    await screenshot(page, 'console-merge-preview');

    await page.getByRole('button', { name: 'Confirm merge' }).click();
    await eventually(() => page.getByRole('status').filter({ hasText: 'Merged' }).textContent()).toContain(`primary contact ${anna} now holds 5 contacts`);
    const audit = page.getByRole('region', { name: 'Audit entry' });
    await eventually(() => audit.textContent()).toContain('identity.merge');
    await expect(audit.textContent()).resolves.toContain('yes');
    await expect(nodes().count()).resolves.toBe(5);
    await expect(page.getByTestId('identity-graph').locator('line.edge.link').count()).resolves.toBe(1);
    expect((await adminCall('GET', `/identities/${bob}`)).contact.primaryContactId).toBe(anna);
    await expectNoSeriousA11yViolations(page);
    await screenshot(page, 'console-merge-done');
    // The merged identity's orders: Bob's order (placed under his old primary id, now a secondary) too.
    await page.goto(`/admin/identity/${bob}`);
    await eventually(orderNumbers).toEqual([bobOrder, ...[...annaOrders].reverse()]);
  });

  it('erases a customer after the contact id is typed; a lookup afterwards finds nothing', async () => {
    const carl = (await identify(t.site, 'carl@console.test', '5557001')).primaryContactId;
    await page.goto(`/admin/identity/${carl}`);
    await page.getByRole('link', { name: 'Erase this customer' }).click();
    await page.waitForURL(`**/admin/identity/${carl}/erase`);
    const erase = page.getByRole('button', { name: 'Erase customer' });
    await eventually(() => erase.isDisabled()).toBe(true);
    await page.getByRole('textbox', { name: `Type the contact id ${carl} to confirm` }).fill(String(carl + 1));
    await expect(erase.isDisabled()).resolves.toBe(true);
    await expectNoSeriousA11yViolations(page);
    await screenshot(page, 'console-erase');
    await page.getByRole('textbox', { name: `Type the contact id ${carl} to confirm` }).fill(String(carl));
    await erase.click();
    await eventually(() => heading(page)).toBe('Customer erased');
    await expect(page.getByRole('status').textContent()).resolves.toContain(`Erased contacts ${carl}`);
    await expectNoSeriousA11yViolations(page);

    await page.getByRole('link', { name: 'Find a customer' }).click();
    await page.getByRole('textbox', { name: 'Email' }).fill('carl@console.test');
    await page.getByRole('button', { name: 'Search' }).click();
    await eventually(() => page.getByRole('alert').textContent()).toContain('No identity has these values');
    await page.goto(`/admin/identity/${carl}`);
    await eventually(() => page.getByRole('alert').textContent()).toContain(`No customer has contact id ${carl}`);
  });

  it('pages through all contacts (erased rows on demand) and the audit log', async () => {
    for (let i = 0; i < 20; i++) await identify(t.site, `p${i}@console.test`, null);
    const total = (await adminCall('GET', '/contacts?limit=100')).contacts.length;
    expect(total).toBeGreaterThan(20);
    await page.getByRole('link', { name: 'All contacts' }).click();
    await eventually(() => heading(page)).toBe('All contacts');
    await eventually(() => rows().count()).toBe(20);
    await expect(page.getByText(/^erased /).count()).resolves.toBe(0);
    await expectNoSeriousA11yViolations(page);
    await screenshot(page, 'console-contacts');
    await page.getByRole('button', { name: 'Next page' }).click();
    await eventually(() => page.getByRole('table').locator('caption').textContent()).toBe('Contacts, page 2');
    await eventually(() => rows().count()).toBe(total - 20);
    await page.getByRole('button', { name: 'Previous page' }).click();
    await eventually(() => page.getByRole('table').locator('caption').textContent()).toBe('Contacts, page 1');
    // Erased rows on demand (carl, erased above, is among the first page's ids).
    await page.getByRole('checkbox', { name: 'Show erased contacts' }).check();
    await eventually(() => page.getByText(/^erased /).count()).toBe(1);

    // The audit log: the merge and the erasure, then enough repeated merges to fill two pages.
    for (let i = 0; i < 20; i++) await adminCall('POST', '/identities/merge', { contactIds: [anna, bob] });
    await page.getByRole('link', { name: 'Audit log' }).click();
    await eventually(() => heading(page)).toBe('Audit log');
    await eventually(() => rows().count()).toBe(20);
    await expect(rows().first().textContent()).resolves.toContain('merge');
    await expectNoSeriousA11yViolations(page);
    await screenshot(page, 'console-audit');
    await page.getByRole('button', { name: 'Next page' }).click();
    await eventually(() => rows().count()).toBe(2);
    await expect(page.getByRole('button', { name: 'Next page' }).isDisabled()).resolves.toBe(true);
  });

  it('never put an email or a phone number in a URL the browser visited or requested', () => {
    expect(urls.length).toBeGreaterThan(20);
    expect(urls.filter((u) => PERSONAL.test(decodeURIComponent(new URL(u).pathname + new URL(u).search)))).toEqual([]);
  });
});
