/**
 * POST /checkout over real HTTP (the local server, the real handler, DynamoDB Local): the answer
 * and its headers, the SPEC error contract on bad input (400 + code, JSON, security headers,
 * nothing written), and never an email or phone in clear in any answer.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalSite, type LocalSite } from '../support/browser';
import { httpRequest } from '../support/http';
import { snapshot } from '../support/snapshot';

let site: LocalSite;
beforeAll(async () => {
  site = await startLocalSite();
});
afterAll(() => site.close());

const checkout = (body: unknown, headers: Record<string, string> = { 'content-type': 'application/json' }) =>
  httpRequest(`${site.baseUrl}/checkout`, { method: 'POST', headers, body: typeof body === 'string' ? body : JSON.stringify(body) });
const items = [{ productId: 'hill-valley-speaker', quantity: 1 }];

describe('POST /checkout over HTTP', () => {
  it('answers the order and the masked customer, with the API headers', async () => {
    const orderId = randomUUID();
    const res = await checkout({ orderId, items, email: 'clara@hillvalley.edu', phoneNumber: '1885 1885' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.json.order).toMatchObject({ orderId, total: 9900, currency: 'USD' });
    expect(res.json.customer).toMatchObject({ returning: false, orderCount: 1, contacts: { emails: ['c***@***.edu'], phoneNumbers: ['***85'] } });
    expect(res.text).not.toMatch(/clara@|18851885/);
    const again = await checkout({ orderId, items, email: 'clara@hillvalley.edu', phoneNumber: '1885 1885' });
    expect(again.json).toEqual(res.json);
  });

  it.each([
    ['not JSON', '{nope', 400, 'invalid_json'],
    ['an invalid email', { orderId: randomUUID(), items, email: 'clara@hillvalley' }, 400, 'invalid_email'],
    ['no contact', { orderId: randomUUID(), items }, 400, 'missing_contact_info'],
    ['no items', { orderId: randomUUID(), items: [], phoneNumber: '123456' }, 400, 'invalid_items'],
    ['an unknown product', { orderId: randomUUID(), items: [{ productId: 'mr-fusion', quantity: 1 }], phoneNumber: '123456' }, 400, 'unknown_product'],
    ['out of stock', { orderId: randomUUID(), items: [{ productId: 'volt-mini', quantity: 1 }], phoneNumber: '123456' }, 409, 'insufficient_stock'],
  ])('refuses %s with the SPEC error body and writes nothing', async (_name, body, status, code) => {
    const before = await snapshot(site.tables);
    const res = await checkout(body);
    expect(res.status).toBe(status);
    expect(res.json).toStrictEqual({ error: { code, message: expect.any(String), requestId: res.headers.get('x-request-id') } });
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await snapshot(site.tables)).toEqual(before);
  });

  it('refuses a form post (415) and a GET (405)', async () => {
    expect((await checkout('a=b', { 'content-type': 'application/x-www-form-urlencoded' })).status).toBe(415);
    const get = await httpRequest(`${site.baseUrl}/checkout`, { method: 'GET' });
    expect(get.status).toBe(405);
    expect(get.json.error.code).toBe('method_not_allowed');
  });
});
