/**
 * The OpenAPI shape of GET /identities/{contactId}/orders (built by functions/admin-read from
 * lib/admin-orders.ts; the contract tests hold the two together). Only the document generator and
 * the tests import it; the checkout's own schemas are in lib/checkout/schema.ts.
 */
import * as z from 'zod/mini';
import { documented } from './core';
import { contactId, timestamp } from './identify';

export const CustomerOrderSchema = documented(
  z.object({
    orderId: documented(z.string(), { description: 'The order’s UUID, chosen by the storefront.' }),
    orderNumber: documented(z.string(), { description: 'What the shopper quotes: `FK-` and the first 8 hex digits of the order id.' }),
    createdAt: timestamp(),
    total: documented(z.int().check(z.minimum(0)), { description: 'In cents of `currency`.' }),
    currency: z.literal('USD'),
    items: z.array(
      z.object({
        productId: z.string(),
        name: z.string(),
        quantity: z.int().check(z.minimum(1)),
      }),
    ),
    customerId: documented(contactId(), {
      description: 'The contact id the order was placed under: the identity’s primary at the time (after a merge, possibly a secondary now).',
    }),
  }),
  { id: 'CustomerOrder', description: 'One order of the customer. No email or phone: the identity holds those.' },
);

export const CustomerOrdersSchema = documented(
  z.object({
    orders: documented(z.array(CustomerOrderSchema), { description: 'Every order placed under any contact id of the identity, newest first.' }),
  }),
  {
    id: 'CustomerOrders',
    example: {
      orders: [
        {
          orderId: '6f1c2d9e-4b7a-4c1e-9f3a-2b8d7e6a5c41',
          orderNumber: 'FK-6F1C2D9E',
          createdAt: '2026-12-01T22:40:00.000Z',
          total: 69900,
          currency: 'USD',
          items: [{ productId: 'flux-phone-12', name: 'Flux Phone 12', quantity: 1 }],
          customerId: 1,
        },
      ],
    },
  },
);
