/**
 * The checkout's objects, created once per container on first use: the order store on the
 * container's DynamoDB client and the identity service of lib/container.ts (same store and id
 * blocks as /identify); orders are counted through Powertools Metrics (CheckoutOrder); and the
 * admin side of the orders (lib/admin-orders.ts) on the same order store. No HTTP here.
 */
import { getConfig } from '../config';
import { AdminOrders } from '../admin-orders';
import { getAdminService, getDocumentClient, getIdentityService } from '../container';
import { telemetry } from '../powertools/metrics';
import { DynamoOrderStore } from './orders-store';
import { CheckoutService } from './service';

let service: CheckoutService | undefined;
let orderStore: DynamoOrderStore | undefined;
let adminOrders: AdminOrders | undefined;

function getOrderStore(): DynamoOrderStore {
  orderStore ??= new DynamoOrderStore(getDocumentClient(), getConfig().tables.orders);
  return orderStore;
}

export function getCheckoutService(): CheckoutService {
  if (!service) {
    service = new CheckoutService(getIdentityService(), getOrderStore(), { telemetry });
  }
  return service;
}

/** The admin side of the orders (functions/admin-read's orders route, functions/admin-erase). */
export function getAdminOrders(): AdminOrders {
  adminOrders ??= new AdminOrders(getAdminService(), getOrderStore());
  return adminOrders;
}
