/**
 * The admin side of the orders (lib/admin-orders.ts), created once per container on first use,
 * on the container's DynamoDB client and admin reads or service (lib/container.ts). Kept apart from the
 * checkout's container so the admin functions' bundles do not carry the checkout service.
 */
import { AdminOrders, IdentityOrders } from './admin-orders';
import { DynamoCustomerOrderStore } from './checkout/customer-orders-store';
import { getConfig } from './config';
import { getAdminReads, getAdminService, getDocumentClient } from './container';

let identityOrders: IdentityOrders | undefined;
let adminOrders: AdminOrders | undefined;

const orderStore = () => new DynamoCustomerOrderStore(getDocumentClient(), getConfig().tables.orders);

/** For functions/admin-read (GET /identities/{contactId}/orders): reads only. */
export function getIdentityOrders(): IdentityOrders {
  identityOrders ??= new IdentityOrders(getAdminReads(), orderStore());
  return identityOrders;
}

/** For functions/admin-erase (DELETE /identities/{contactId}). */
export function getAdminOrders(): AdminOrders {
  adminOrders ??= new AdminOrders(getAdminService(), orderStore());
  return adminOrders;
}
