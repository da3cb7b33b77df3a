/**
 * Checkout test helpers: a checkout service on fresh tables of the run's DynamoDB Local (the
 * Lambda's wiring), a whole-table read of Orders, and request builders.
 */
import { randomUUID } from 'node:crypto';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoOrderStore } from '../../lib/checkout/orders-store';
import { CheckoutService, type CheckoutServiceOptions } from '../../lib/checkout/service';
import type { OrderStore } from '../../lib/checkout/orders';
import { createTestService } from './dynamo';

export async function createCheckoutService(options: { wrapStore?: (store: OrderStore) => OrderStore; service?: CheckoutServiceOptions } = {}) {
  const t = await createTestService();
  const orderStore = new DynamoOrderStore(t.db, t.tables.orders);
  const checkout = new CheckoutService(t.service, options.wrapStore ? options.wrapStore(orderStore) : orderStore, options.service);
  const scanOrders = async () => {
    const page = await t.db.send(new ScanCommand({ TableName: t.tables.orders, ConsistentRead: true }));
    return (page.Items ?? []).sort((a, b) => String(a.orderId).localeCompare(String(b.orderId)));
  };
  return { ...t, orderStore, checkout, scanOrders };
}

export function checkoutBody(overrides: Record<string, unknown> = {}) {
  return {
    orderId: randomUUID(),
    items: [
      { productId: 'flux-phone-12', quantity: 1 },
      { productId: 'gigawatt-buds', quantity: 2 },
    ],
    ...overrides,
  };
}
