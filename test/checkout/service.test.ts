/**
 * The checkout's rules against DynamoDB Local (lib/checkout/service.ts with the real identity
 * service and order store): pricing from the catalogue, validation before any write, the
 * customer recognised across emails and phones (merges included), idempotent retries, a crash
 * between reconciliation and the order, and concurrent checkouts.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { PRODUCTS } from '../../lib/checkout/catalogue';
import type { OrderStore } from '../../lib/checkout/orders';
import { greetingOf, ordinal } from '../../lib/checkout/service';
import { deadlineIn } from '../../lib/retry';
import { snapshot } from '../support/snapshot';
import { checkoutBody, createCheckoutService } from '../support/orders';

const deadline = () => deadlineIn(10_000);

describe('checkout', () => {
  it('prices the cart from the catalogue, records the order, welcomes a new customer', async () => {
    const t = await createCheckoutService();
    const body = checkoutBody({ email: '  Doc@HillValley.EDU ', phoneNumber: '+1 (555) 010-9999', items: [{ productId: 'flux-phone-12', quantity: 2, price: 1 }] });
    const answer = await t.checkout.checkout(body, deadline());
    expect(answer.order.total).toBe(2 * 69900);
    expect(answer.order.items).toEqual([{ productId: 'flux-phone-12', name: 'Flux Phone 12', quantity: 2, unitPrice: 69900, lineTotal: 139800 }]);
    expect(answer.order.orderNumber).toBe(`FK-${String(body.orderId).replace(/-/g, '').slice(0, 8).toUpperCase()}`);
    expect(answer.customer).toMatchObject({ returning: false, orderCount: 1, greeting: 'Welcome, new customer!' });
    expect(answer.customer.contacts).toEqual({ emails: ['d***@***.edu'], phoneNumbers: ['***99'] });
    expect(JSON.stringify(answer)).not.toMatch(/doc@|5550109999/i);

    const orders = await t.scanOrders();
    expect(orders).toHaveLength(2);
    const order = orders.find((o) => o.kind === 'order')!;
    expect(order).toMatchObject({
      orderId: body.orderId,
      email: 'doc@hillvalley.edu',
      phoneNumber: '+15550109999',
      customerId: answer.customer.customerId,
      total: 139800,
      createdAt: answer.order.createdAt,
    });
    expect(orders.find((o) => o.kind === 'customerOrders')).toMatchObject({ orderId: `customer#${answer.customer.customerId}`, orders: 1 });
  });

  it('recognises the same customer by phone with another email, and counts across merges', async () => {
    const t = await createCheckoutService();
    const first = await t.checkout.checkout(checkoutBody({ email: 'lorraine@hillvalley.edu', phoneNumber: '123456' }), deadline());
    const second = await t.checkout.checkout(checkoutBody({ email: 'mcfly@hillvalley.edu', phoneNumber: '123456' }), deadline());
    expect(second.customer).toMatchObject({
      returning: true,
      customerId: first.customer.customerId,
      orderCount: 2,
      greeting: `Welcome back — customer #${first.customer.customerId}, this is your 2nd order.`,
    });
    expect(second.customer.contacts).toEqual({ emails: ['l***@***.edu', 'm***@***.edu'], phoneNumbers: ['***56'] });

    // Another identity with two orders of its own, then an order that merges the two: 2 + 2 + 1.
    await t.checkout.checkout(checkoutBody({ email: 'george@hillvalley.edu', phoneNumber: '919191' }), deadline());
    await t.checkout.checkout(checkoutBody({ phoneNumber: '919191' }), deadline());
    const merged = await t.checkout.checkout(checkoutBody({ email: 'george@hillvalley.edu', phoneNumber: '123456' }), deadline());
    expect(merged.customer.customerId).toBe(first.customer.customerId);
    expect(merged.customer.orderCount).toBe(5);
    const next = await t.checkout.checkout(checkoutBody({ phoneNumber: '919191' }), deadline());
    expect(next.customer).toMatchObject({ customerId: first.customer.customerId, orderCount: 6 });
  });

  it('answers a repeated request the same and writes nothing the second time', async () => {
    const t = await createCheckoutService();
    const body = checkoutBody({ email: 'biff@hillvalley.edu' });
    const first = await t.checkout.checkout(body, deadline());
    const [tables, orders] = [await snapshot(t), await t.scanOrders()];
    const again = await t.checkout.checkout(structuredClone(body), deadline());
    expect(again).toEqual(first);
    expect(await snapshot(t)).toEqual(tables);
    expect(await t.scanOrders()).toEqual(orders);
    // The same orderId with another cart is refused, not recorded.
    await expect(t.checkout.checkout({ ...body, items: [{ productId: 'chrono-watch', quantity: 1 }] }, deadline())).rejects.toMatchObject({
      status: 409,
      code: 'order_id_conflict',
    });
    expect(await t.scanOrders()).toEqual(orders);
  });

  it.each([
    ['invalid email', { email: 'not-an-email' }, 400, 'invalid_email'],
    ['invalid phone', { phoneNumber: '12' }, 400, 'invalid_phone_number'],
    ['no contact', {}, 400, 'missing_contact_info'],
    ['email of the wrong type', { email: 42 }, 400, 'invalid_email'],
    ['no order id', { email: 'a@b.co', orderId: undefined }, 400, 'invalid_order_id'],
    ['order id not a UUID', { email: 'a@b.co', orderId: 'order-1' }, 400, 'invalid_order_id'],
    ['no items', { email: 'a@b.co', items: [] }, 400, 'invalid_items'],
    ['items not a list', { email: 'a@b.co', items: 'phone' }, 400, 'invalid_items'],
    ['zero quantity', { email: 'a@b.co', items: [{ productId: 'flux-phone-12', quantity: 0 }] }, 400, 'invalid_items'],
    ['fractional quantity', { email: 'a@b.co', items: [{ productId: 'flux-phone-12', quantity: 1.5 }] }, 400, 'invalid_items'],
    ['too many of one', { email: 'a@b.co', items: [{ productId: 'gigawatt-buds', quantity: 11 }] }, 400, 'invalid_items'],
    ['a product twice', { email: 'a@b.co', items: [{ productId: 'flux-phone-12', quantity: 1 }, { productId: 'flux-phone-12', quantity: 1 }] }, 400, 'invalid_items'],
    ['unknown product', { email: 'a@b.co', items: [{ productId: 'hoverboard', quantity: 1 }] }, 400, 'unknown_product'],
    ['out of stock', { email: 'a@b.co', items: [{ productId: 'volt-mini', quantity: 1 }] }, 409, 'insufficient_stock'],
    ['more than the stock', { email: 'a@b.co', items: [{ productId: 'delorean-book-16-pro', quantity: 5 }] }, 409, 'insufficient_stock'],
  ])('refuses %s and writes nothing', async (_name, overrides, status, code) => {
    const t = await createCheckoutService();
    const before = await snapshot(t);
    await expect(t.checkout.checkout(checkoutBody(overrides), deadline())).rejects.toMatchObject({ status, code });
    expect(await snapshot(t)).toEqual(before);
    expect(await t.scanOrders()).toEqual([]);
  });

  it('refuses a body that is not an object', async () => {
    const t = await createCheckoutService();
    await expect(t.checkout.checkout([1], deadline())).rejects.toMatchObject({ status: 400, code: 'invalid_body' });
  });

  it('a crash between the reconciliation and the order: the retry records the order once', async () => {
    let crash = true;
    const t = await createCheckoutService({
      wrapStore: (store): OrderStore => ({
        getOrder: (id) => store.getOrder(id),
        orderCounts: (ids) => store.orderCounts(ids),
        recordOrder: async (order, previous) => {
          if (crash) {
            crash = false;
            throw new Error('process killed before the order was written');
          }
          return store.recordOrder(order, previous);
        },
      }),
    });
    const body = checkoutBody({ email: 'marty@hillvalley.edu', phoneNumber: '555000' });
    await expect(t.checkout.checkout(body, deadline())).rejects.toThrow('process killed');
    const afterCrash = await snapshot(t);
    expect(afterCrash.contacts).toHaveLength(1); // reconciled,
    expect(await t.scanOrders()).toEqual([]); //   but no order and no count
    const retry = await t.checkout.checkout(body, deadline());
    expect(retry.customer.orderCount).toBe(1);
    expect(await snapshot(t)).toEqual(afterCrash); // the reconciliation wrote nothing again
    expect((await t.scanOrders()).filter((o) => o.kind === 'order')).toHaveLength(1);
  });

  it('the same order sent several times at once is recorded once, with one answer', async () => {
    const t = await createCheckoutService();
    const body = checkoutBody({ email: 'jennifer@hillvalley.edu' });
    const answers = await Promise.all(Array.from({ length: 6 }, () => t.checkout.checkout(structuredClone(body), deadline())));
    for (const answer of answers) expect(answer).toEqual(answers[0]);
    const orders = await t.scanOrders();
    expect(orders.filter((o) => o.kind === 'order')).toHaveLength(1);
    expect(orders.find((o) => o.kind === 'customerOrders')!.orders).toBe(1);
  });

  it('concurrent orders of one customer get distinct order counts', async () => {
    const t = await createCheckoutService();
    await t.checkout.checkout(checkoutBody({ phoneNumber: '808080' }), deadline());
    const answers = await Promise.all(Array.from({ length: 5 }, () => t.checkout.checkout(checkoutBody({ phoneNumber: '808080' }), deadline())));
    expect(answers.map((a) => a.customer.orderCount).sort()).toEqual([2, 3, 4, 5, 6]);
    const count = (await t.scanOrders()).find((o) => o.kind === 'customerOrders')!;
    expect(count.orders).toBe(6);
    expect(count.orderIds.size).toBe(6);
  });

  it('greets in English ordinals', () => {
    expect([1, 2, 3, 4, 11, 12, 13, 21, 22, 101, 111].map(ordinal)).toEqual(['1st', '2nd', '3rd', '4th', '11th', '12th', '13th', '21st', '22nd', '101st', '111th']);
    expect(greetingOf(7, 1)).toBe('Welcome, new customer!');
    expect(greetingOf(7, 3)).toBe('Welcome back — customer #7, this is your 3rd order.');
  });

  it('ships a catalogue with unique ids, integer prices and at least one product per category', () => {
    expect(new Set(PRODUCTS.map((p) => p.id)).size).toBe(PRODUCTS.length);
    for (const p of PRODUCTS) {
      expect(Number.isInteger(p.price) && p.price > 0, p.id).toBe(true);
      expect(Number.isInteger(p.stock) && p.stock >= 0, p.id).toBe(true);
    }
    expect(randomUUID()).toMatch(/-/);
  });
});
