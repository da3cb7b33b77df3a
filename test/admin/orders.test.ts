/**
 * The customer's orders on the admin side, end to end over real HTTP (the local server, the real
 * handlers, fresh tables on DynamoDB Local): GET /identities/{contactId}/orders lists the orders
 * of every contact id of the identity, newest first, after merges too; DELETE
 * /identities/{contactId} leaves no email or phone in any order item (the Orders table is scanned).
 * The last test drives lib/admin-orders.ts directly to cut the erasure off between the identity
 * and its orders, and shows that a repeated DELETE finishes it.
 */
import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AdminOrders } from '../../lib/admin-orders';
import { DynamoCustomerOrderStore } from '../../lib/checkout/customer-orders-store';
import { DynamoOrderStore } from '../../lib/checkout/orders-store';
import { CheckoutService } from '../../lib/checkout/service';
import type { CustomerOrderStore } from '../../lib/checkout/orders';
import type { TestTables } from '../support/dynamo';
import { httpRequest } from '../support/http';
import { ADMIN, adminInstance, deadline, startAdminServer, stopAdminServer } from './helpers';

const ADMIN_TOKEN = 'admin-token-for-orders-tests-0123456789';
const USER_TOKEN = 'user-token-for-orders-tests-0123456789';

let server: Server;
let base: string;
let t: TestTables;

beforeEach(async () => {
  ({ server, base, t } = await startAdminServer({ adminToken: ADMIN_TOKEN, userToken: USER_TOKEN }));
});

afterEach(() => stopAdminServer(server));

/** An admin call, checked against openapi.json by httpRequest. */
function admin(method: string, path: string, token: string | null = ADMIN_TOKEN) {
  return httpRequest(base + path, { method, headers: token ? { authorization: `Bearer ${token}` } : {} });
}

/**
 * A storefront checkout. Plain fetch: POST /checkout's contract entry is registered by another
 * change (lib/schemas/registry.ts); this test checks the admin routes' answers against the contract.
 */
async function checkout(contact: { email?: string; phoneNumber?: string }, items = [{ productId: 'flux-phone-12', quantity: 1 }]) {
  const res = await fetch(`${base}/checkout`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ orderId: randomUUID(), items, ...contact }),
  });
  const body = (await res.json()) as any;
  expect(res.status, JSON.stringify(body)).toBe(200);
  return body as { order: { orderId: string; orderNumber: string; total: number; createdAt: string }; customer: { customerId: number } };
}

async function scanOrders(): Promise<Record<string, any>[]> {
  const { DynamoDBDocumentClient } = await import('@aws-sdk/lib-dynamodb');
  const { DynamoDBClient } = await import('@aws-sdk/client-dynamodb');
  const db = DynamoDBDocumentClient.from(
    new DynamoDBClient({ endpoint: t.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }),
  );
  try {
    const page = await db.send(new ScanCommand({ TableName: t.tables.orders, ConsistentRead: true }));
    return (page.Items ?? []) as Record<string, any>[];
  } finally {
    db.destroy();
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('GET /identities/{contactId}/orders', () => {
  it('lists the orders of every contact id of the identity, newest first, after a merge too', async () => {
    const first = await checkout({ email: 'doc@orders.test', phoneNumber: '5550001' });
    await sleep(5);
    const second = await checkout({ email: 'doc@orders.test' }, [
      { productId: 'gigawatt-buds', quantity: 2 },
      { productId: 'flux-phone-12', quantity: 1 },
    ]);
    await sleep(5);
    const other = await checkout({ email: 'biff@orders.test', phoneNumber: '5550002' });
    const docId = first.customer.customerId;
    const biffId = other.customer.customerId;
    expect(biffId).not.toBe(docId);

    // Before the merge: each identity sees its own orders only.
    const before = await admin('GET', `/identities/${docId}/orders`);
    expect(before.status, before.text).toBe(200);
    expect(before.json.orders.map((o: any) => o.orderNumber)).toEqual([second.order.orderNumber, first.order.orderNumber]);
    expect(before.json.orders[0]).toStrictEqual({
      orderId: second.order.orderId,
      orderNumber: second.order.orderNumber,
      createdAt: second.order.createdAt,
      total: second.order.total,
      currency: 'USD',
      items: [
        { productId: 'gigawatt-buds', name: expect.any(String), quantity: 2 },
        { productId: 'flux-phone-12', name: 'Flux Phone 12', quantity: 1 },
      ],
      customerId: docId,
    });
    expect(before.text).not.toMatch(/orders\.test|555000/); // no contact data in the orders' answer

    // A checkout with Doc's email and Biff's phone merges the two (the older primary, Doc's, stays):
    // Biff's order was placed under a contact id that is now a secondary.
    await sleep(5);
    const merging = await checkout({ email: 'doc@orders.test', phoneNumber: '5550002' });
    expect(merging.customer.customerId).toBe(docId);
    const expected = [merging, other, second, first].map((o) => o.order.orderNumber);
    for (const id of [docId, biffId]) {
      const res = await admin('GET', `/identities/${id}/orders`);
      expect(res.status).toBe(200);
      expect(res.json.orders.map((o: any) => o.orderNumber), `via contact ${id}`).toEqual(expected);
      expect(res.json.orders.map((o: any) => o.customerId)).toEqual([docId, biffId, docId, docId]);
    }
  });

  it('answers an empty list for a customer without orders, and the admin errors', async () => {
    const identified = await httpRequest(`${base}/identify`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'marty@orders.test' }),
    });
    const id = identified.json.contact.primaryContactId as number;
    expect((await admin('GET', `/identities/${id}/orders`)).json).toStrictEqual({ orders: [] });

    const expectError = (res: Awaited<ReturnType<typeof admin>>, status: number, code: string) => {
      expect(res.status, res.text).toBe(status);
      expect(res.json.error.code).toBe(code);
    };
    expectError(await admin('GET', '/identities/abc/orders'), 400, 'invalid_contact_id');
    expectError(await admin('GET', '/identities/0/orders'), 400, 'invalid_contact_id');
    expectError(await admin('GET', '/identities/424242/orders'), 404, 'contact_not_found');
    expectError(await admin('GET', `/identities/${id}/orders`, null), 401, 'unauthorized');
    expectError(await admin('GET', `/identities/${id}/orders`, USER_TOKEN), 403, 'forbidden');
    expectError(await admin('POST', `/identities/${id}/orders`), 405, 'method_not_allowed');
  });
});

describe('DELETE /identities/{contactId} and the orders', () => {
  it('removes the email, phone, fingerprint and masked contacts of every order of the identity, and nothing else', async () => {
    const a = await checkout({ email: 'lorraine@erase.test', phoneNumber: '7770001' });
    const b = await checkout({ email: 'lorraine@erase.test' });
    const c = await checkout({ email: 'george@erase.test', phoneNumber: '7770002' });
    // Merge Lorraine and George by hand: George's order hangs off a secondary now.
    const merged = await httpRequest(`${base}/identities/merge`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ contactIds: [a.customer.customerId, c.customer.customerId] }),
    });
    expect(merged.status, merged.text).toBe(200);
    const bystander = await checkout({ email: 'biff@erase.test', phoneNumber: '7770003' });

    const before = await scanOrders();
    expect(JSON.stringify(before)).toContain('lorraine@erase.test');

    const erased = await admin('DELETE', `/identities/${c.customer.customerId}`);
    expect(erased.status, erased.text).toBe(200);

    const after = await scanOrders();
    const mine = after.filter((item) => [a, b, c].some((o) => o.order.orderId === item.orderId));
    expect(mine).toHaveLength(3);
    for (const order of mine) {
      expect(order).not.toHaveProperty('email');
      expect(order).not.toHaveProperty('phoneNumber');
      expect(order).not.toHaveProperty('fingerprint');
      expect(order.erasedAt).toEqual(expect.any(String));
      expect(JSON.parse(order.response).customer.contacts).toEqual({ emails: [], phoneNumbers: [] });
      expect(order.total).toBeGreaterThan(0); // the order itself stays
    }
    // No trace of the erased values anywhere in the table, in clear or masked (***01, ***02).
    const text = JSON.stringify(after);
    expect(text).not.toMatch(/lorraine|george|l\*\*\*@|g\*\*\*@|777000[12]|\*\*\*0[12]"/);
    // The other customer's order is untouched.
    const kept = after.find((item) => item.orderId === bystander.order.orderId)!;
    expect(kept).toMatchObject({ email: 'biff@erase.test', phoneNumber: '7770003', fingerprint: expect.any(String) });
    expect(before.find((item) => item.orderId === bystander.order.orderId)).toEqual(kept);

    // Repeating the erasure answers the same ids and changes nothing more.
    const again = await admin('DELETE', `/identities/${a.customer.customerId}`);
    expect(again.json).toEqual(erased.json);
    expect(await scanOrders()).toEqual(after);
    // The console's orders route: the identity is gone.
    expect((await admin('GET', `/identities/${a.customer.customerId}/orders`)).status).toBe(404);
  });

  it('a repeated DELETE finishes an erasure cut off before the orders were cleared', async () => {
    const inst = adminInstance(t);
    const orderStore = new DynamoCustomerOrderStore(inst.db, t.tables.orders);
    const shop = new CheckoutService(inst.service, new DynamoOrderStore(inst.db, t.tables.orders));
    const placed = await shop.checkout({ orderId: randomUUID(), items: [{ productId: 'flux-phone-12', quantity: 1 }], email: 'jennifer@cut.test' }, deadline());
    let crash = true;
    const crashing: CustomerOrderStore = {
      ordersOfCustomers: (ids) => orderStore.ordersOfCustomers(ids),
      eraseContactData: async (ids, at) => {
        if (crash) {
          crash = false;
          throw new Error('process killed after the identity was erased');
        }
        return orderStore.eraseContactData(ids, at);
      },
    };
    const orders = new AdminOrders(inst.admin, crashing);
    const id = placed.customer.customerId;
    await expect(orders.erase(id, ADMIN, deadline())).rejects.toThrow('process killed');
    expect((await scanOrders()).find((o) => o.orderId === placed.order.orderId)).toMatchObject({ email: 'jennifer@cut.test' });
    expect(await orders.erase(id, ADMIN, deadline())).toEqual({ erasedContactIds: [id] });
    const order = (await scanOrders()).find((o) => o.orderId === placed.order.orderId)!;
    expect(order).not.toHaveProperty('email');
    expect(JSON.stringify(await scanOrders())).not.toContain('jennifer');
    // A replay of the erased order's request is refused: its fingerprint is gone with the contact data.
    await expect(
      shop.checkout({ orderId: placed.order.orderId, items: [{ productId: 'flux-phone-12', quantity: 1 }], email: 'jennifer@cut.test' }, deadline()),
    ).rejects.toMatchObject({ code: 'order_id_conflict' });
  });
});
