/**
 * The storefront in a real headless Chromium against the local server (`npm start`'s code) and
 * DynamoDB Local: browse, filter, search, product page, cart (add, quantity, remove, survives a
 * reload), checkout as a new customer, then with another email and the same phone (recognised),
 * an invalid email (shown, nothing sent or written), a server refusal shown as the server worded
 * it, a checkout without an answer (503, then a lost answer) retried with the same order id while
 * the browser's storage never holds the contacts in clear. axe on every page, keyboard
 * reachability, no horizontal scroll at 390 × 844. Elements are found by role and accessible name,
 * as a screen reader user would find them.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { PRODUCTS } from '../../lib/checkout/catalogue';
import { expectNoSeriousA11yViolations, hasHorizontalScroll, PHONE_VIEWPORT, screenshot, useBrowser, poll } from '../support/browser';

const t = useBrowser();

async function scan(table: 'orders' | 'contacts') {
  const db = DynamoDBDocumentClient.from(
    new DynamoDBClient({ endpoint: t.site.tables.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'l', secretAccessKey: 'l' } }),
  );
  const page = await db.send(new ScanCommand({ TableName: t.site.tables.tables[table], ConsistentRead: true }));
  db.destroy();
  return page.Items ?? [];
}

const orders = async () => (await scan('orders')).filter((item) => item.kind === 'order');

async function addToCart(page: Page, name: string) {
  await page.getByRole('button', { name: `Add to cart (${name})` }).click();
}

/** Every key and value of the page's localStorage and sessionStorage, and its cookies. */
async function storedText(page: Page): Promise<string> {
  // (a string: the root tsconfig has no DOM types; this runs in the page)
  return page.evaluate<string>(`JSON.stringify([Object.entries(localStorage), Object.entries(sessionStorage), document.cookie])`);
}

async function checkout(page: Page, contact: { email?: string; phone?: string }) {
  await page.getByRole('link', { name: /^Cart,/ }).click();
  await page.getByRole('link', { name: 'Go to checkout' }).click();
  await poll(() => page.getByRole('heading', { level: 1, name: 'Checkout' }).count()).toBe(1);
  if (contact.email !== undefined) await page.getByLabel('Email').fill(contact.email);
  if (contact.phone !== undefined) await page.getByLabel('Phone number').fill(contact.phone);
  await page.getByRole('button', { name: 'Place order' }).click();
}

describe('storefront', () => {
  it('browse → cart → reload → checkout as a new customer → again with another email, same phone: recognised', async () => {
    const page = await t.newPage();
    await page.goto('/');
    await poll(() => page.getByRole('heading', { level: 1, name: 'Electronics' }).count()).toBe(1);
    const list = page.getByRole('list', { name: 'Products' });
    expect(await list.getByRole('listitem').count()).toBe(PRODUCTS.length);
    await expectNoSeriousA11yViolations(page);
    await screenshot(page, 'storefront-catalogue');

    // Category filter, then search.
    await page.getByRole('group', { name: 'Category' }).getByRole('button', { name: 'Audio' }).click();
    expect(await page.getByRole('button', { name: 'Audio' }).getAttribute('aria-pressed')).toBe('true');
    expect(await list.getByRole('listitem').count()).toBe(PRODUCTS.filter((p) => p.category === 'audio').length);
    await page.getByRole('group', { name: 'Category' }).getByRole('button', { name: 'All' }).click();
    await page.getByLabel('Search products').fill('noise cancelling');
    await poll(() => list.getByRole('listitem').count()).toBe(1);
    expect(await list.getByRole('heading', { name: 'Hoverboard Headphones' }).count()).toBe(1);
    await page.getByLabel('Search products').fill('');

    // Product page: quantity 2, add.
    await page.getByRole('link', { name: 'Flux Phone 12', exact: true }).click();
    await poll(() => page.getByRole('heading', { level: 1, name: 'Flux Phone 12' }).count()).toBe(1);
    expect(await page.getByRole('img', { name: 'Illustration of the Flux Phone 12' }).count()).toBe(1);
    await page.getByLabel('Quantity').fill('2');
    await addToCart(page, 'Flux Phone 12');
    await poll(() => page.getByRole('status').filter({ hasText: 'Added to your cart' }).count()).toBe(1);
    await expectNoSeriousA11yViolations(page);
    await screenshot(page, 'storefront-product');

    // Back to the shop: two more products, one removed again in the cart.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Shop' }).click();
    await addToCart(page, 'Gigawatt Buds');
    await addToCart(page, 'Hill Valley Speaker');
    await page.getByRole('link', { name: 'Cart, 4 items' }).click();
    const lines = page.getByRole('list', { name: 'Items in your cart' });
    await poll(() => lines.getByRole('listitem').count()).toBe(3);
    await page.getByLabel('Quantity of Gigawatt Buds').fill('3');
    await page.getByLabel('Quantity of Gigawatt Buds').press('Tab');
    await page.getByRole('button', { name: 'Remove Hill Valley Speaker' }).click();
    await poll(() => lines.getByRole('listitem').count()).toBe(2);
    // 2 × $699.00 + 3 × $149.00, priced from the catalogue.
    await poll(() => page.locator('.summary .total').textContent()).toBe('$1,845.00');

    // A reload keeps the cart.
    await page.reload();
    await poll(() => page.getByRole('list', { name: 'Items in your cart' }).getByRole('listitem').count()).toBe(2);
    expect(await page.getByLabel('Quantity of Gigawatt Buds').inputValue()).toBe('3');
    await poll(() => page.getByRole('link', { name: 'Cart, 5 items' }).count()).toBe(1);
    await expectNoSeriousA11yViolations(page);
    await screenshot(page, 'storefront-cart');

    // Checkout as a new customer.
    await checkout(page, { email: 'Doc.Brown@HillValley.edu', phone: '+1 (555) 010-1985' });
    const thanks = page.getByRole('heading', { level: 1, name: /^Thank you! Order FK-[0-9A-F]{8}$/ });
    await poll(() => thanks.count()).toBe(1);
    expect(await page.getByText('Welcome, new customer!').count()).toBe(1);
    expect(await page.getByText('d***@***.edu, ***85').count()).toBe(1);
    expect(await page.content()).not.toMatch(/doc\.brown@|5550101985/i);
    await poll(() => page.getByRole('link', { name: 'Cart, 0 items' }).count()).toBe(1);
    await expectNoSeriousA11yViolations(page);
    await screenshot(page, 'storefront-order-new-customer');
    const [first] = await orders();
    expect(first).toMatchObject({ email: 'doc.brown@hillvalley.edu', phoneNumber: '+15550101985', total: 2 * 69900 + 3 * 14900 });

    // Again, another email and the same phone: the same customer, second order.
    await page.getByRole('link', { name: 'Continue shopping' }).click();
    await addToCart(page, 'Chrono Watch');
    await checkout(page, { email: 'emmett@hillvalley.edu', phone: '+1 555 010 1985' });
    await poll(() => page.getByText(`Welcome back — customer #${first!.customerId}, this is your 2nd order.`).count()).toBe(1);
    expect(await page.getByText('d***@***.edu, e***@***.edu, ***85').count()).toBe(1);
    await screenshot(page, 'storefront-order-returning');
    expect(await orders()).toHaveLength(2);
    // Both POST /checkout answers (and any other API call) go through the contract check in afterEach.
    expect(t.contract.received).toBeGreaterThanOrEqual(2);
  }, 180_000);

  it('an invalid email is shown beside the field, and nothing is sent or written', async () => {
    const page = await t.newPage();
    const calls: string[] = [];
    page.on('request', (request) => {
      if (new URL(request.url()).pathname === '/checkout') calls.push(request.method());
    });
    await page.goto('/');
    await addToCart(page, 'Doc Cam 4K');
    const [ordersBefore, contactsBefore] = [await orders(), await scan('contacts')];
    await checkout(page, { email: 'marty@hillvalley', phone: '' });
    const email = page.getByLabel('Email');
    await poll(() => email.getAttribute('aria-invalid')).toBe('true');
    expect(await page.getByText('email is not a valid email address.').count()).toBe(1);
    expect(await page.evaluate(`document.activeElement?.id`)).toBe('email');
    await expectNoSeriousA11yViolations(page);
    await screenshot(page, 'storefront-checkout-invalid-email');
    expect(calls).toEqual([]);
    expect(await orders()).toEqual(ordersBefore);
    expect(await scan('contacts')).toEqual(contactsBefore);
  }, 60_000);

  it('the server decides: its refusal is shown as it worded it, and nothing is written', async () => {
    const page = await t.newPage();
    await page.goto('/');
    // A cart saved while the product was still in stock.
    await page.evaluate(() => localStorage.setItem('fluxkart.cart.v1', JSON.stringify([{ productId: 'volt-mini', quantity: 1 }])));
    await page.reload();
    const [ordersBefore, contactsBefore] = [await orders(), await scan('contacts')];
    await checkout(page, { email: 'jennifer@hillvalley.edu' });
    await poll(() => page.getByRole('alert').textContent()).toBe('Volt Mini is out of stock.');
    expect(await orders()).toEqual(ordersBefore);
    expect(await scan('contacts')).toEqual(contactsBefore);
  });

  it('a checkout without an answer keeps its order id for the retry, never the contacts in clear', async () => {
    const page = await t.newPage();
    await page.goto('/');
    await addToCart(page, 'Marty Mechanical Keyboard');
    // An entry of the old format (fingerprint in clear) is deleted when the shop loads.
    await page.evaluate(`localStorage.setItem('fluxkart.pendingOrder.v1', '{"id":"x","fingerprint":"[[],\\"old@hillvalley.edu\\",null]"}')`);
    await page.reload();
    expect(await storedText(page)).not.toContain('old@hillvalley.edu');

    // 1st attempt: 503 (nothing recorded); 2nd: recorded, but the answer is lost; then the real answer.
    const sent: string[] = [];
    await page.route('**/checkout', async (route) => {
      if (route.request().method() !== 'POST') return route.continue();
      sent.push((route.request().postDataJSON() as { orderId: string }).orderId);
      if (sent.length === 1) {
        const error = { code: 'storage_unavailable', message: 'Storage is unavailable. Try again.', requestId: 'test-503' };
        return route.fulfill({ status: 503, headers: { 'retry-after': '1', 'x-request-id': 'test-503' }, json: { error } });
      }
      if (sent.length === 2) {
        await route.fetch();
        return route.abort('failed');
      }
      return route.continue();
    });
    const inClear = /lorraine|5550107777/i;
    const storedInClear = async () => {
      const text = await storedText(page);
      return inClear.test(text) || inClear.test(text.replace(/\D/g, ''));
    };

    await checkout(page, { email: 'Lorraine.Baines@HillValley.edu', phone: '+1 (555) 010-7777' });
    await poll(() => page.getByRole('alert').textContent()).toBe('Storage is unavailable. Try again.');
    expect(await storedInClear()).toBe(false);
    await page.getByRole('button', { name: 'Place order' }).click();
    await poll(() => page.getByRole('alert').textContent()).toBe('The shop could not be reached. Check your connection and try again.');
    expect(await storedInClear()).toBe(false);
    await poll(async () => (await orders()).filter((o) => o.orderId === sent[0]).length).toBe(1);

    // The tab is closed; the shopper comes back and submits the same cart and contacts, typed differently.
    await page.reload();
    await checkout(page, { email: 'lorraine.baines@hillvalley.edu', phone: '+15550107777' });
    await poll(() => page.getByRole('heading', { level: 1, name: /^Thank you! Order FK-/ }).count()).toBe(1);
    expect(sent).toHaveLength(3);
    expect(new Set(sent).size).toBe(1);
    expect((await orders()).filter((o) => o.orderId === sent[0])).toHaveLength(1);
    expect(await storedText(page)).not.toContain('pendingOrder');
  }, 60_000);

  it('every control of the catalogue is reachable with the keyboard', async () => {
    const page = await t.newPage();
    await page.goto('/');
    await poll(() => page.getByRole('list', { name: 'Products' }).getByRole('listitem').count()).toBe(PRODUCTS.length);
    const controls = await page.locator('a[href], button:not([disabled]), input').count();
    const reached = new Set<string>();
    for (let i = 0; i < controls + 3; i++) {
      await page.keyboard.press('Tab');
      // (a string: the root tsconfig has no DOM types; this runs in the page)
      reached.add(String(await page.evaluate(`[...document.querySelectorAll('a[href], button:not([disabled]), input')].indexOf(document.activeElement)`)));
    }
    reached.delete('-1');
    expect(reached.size).toBe(controls);
    // Adding to the cart with the keyboard alone.
    await page.getByRole('button', { name: 'Add to cart (Gigawatt Buds)' }).focus();
    await page.keyboard.press('Enter');
    await poll(() => page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: /^Cart/ }).getAttribute('aria-label')).toBe('Cart, 1 item');
  }, 60_000);

  it('fits a phone-width screen (390 × 844) without horizontal scroll', async () => {
    const page = await t.newPage({ viewport: PHONE_VIEWPORT });
    await page.goto('/');
    await addToCart(page, 'DeLorean Book 16 Pro');
    for (const [hash, name] of [['#/', 'phone-catalogue'], ['#/product/delorean-book-16-pro', 'phone-product'], ['#/cart', 'phone-cart'], ['#/checkout', 'phone-checkout']] as const) {
      await page.goto(`/${hash}`);
      await poll(() => page.locator('main h1').count()).toBe(1);
      expect(await hasHorizontalScroll(page), hash).toBe(false);
      await expectNoSeriousA11yViolations(page);
      await screenshot(page, `storefront-${name}`);
    }
  }, 120_000);
});
