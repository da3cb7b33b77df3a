/**
 * The admin side of the orders (lib/admin-orders.ts), created once per container on first use,
 * on the container's DynamoDB client and admin service (lib/container.ts). Kept apart from the
 * checkout's container so the admin functions' bundles do not carry the checkout service.
 */
import { AdminOrders } from './admin-orders';
import { DynamoCustomerOrderStore } from './checkout/customer-orders-store';
import { getConfig } from './config';
import { getAdminService, getDocumentClient } from './container';

let adminOrders: AdminOrders | undefined;

/** For functions/admin-read (GET /identities/{contactId}/orders) and functions/admin-erase. */
export function getAdminOrders(): AdminOrders {
  adminOrders ??= new AdminOrders(getAdminService(), new DynamoCustomerOrderStore(getDocumentClient(), getConfig().tables.orders));
  return adminOrders;
}
