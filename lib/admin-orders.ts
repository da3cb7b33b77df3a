/**
 * The customer's orders on the admin side: the orders of an identity (GET
 * /identities/{contactId}/orders, for the console's orders panel) and the erasure of a customer
 * together with the contact data of their orders (DELETE /identities/{contactId}). Orders are
 * stored under the customer's primary id at order time; after merges, those old primaries are
 * contacts of the identity, so both read the orders of EVERY contact id of the identity.
 * No HTTP here (functions/admin-* are the adapters) and no DynamoDB (the CustomerOrderStore port).
 */
import type { AdminReads } from './admin-reads';
import type { Actor, AdminService } from './admin-service';
import type { CustomerOrder, CustomerOrderStore } from './checkout/orders';
import { withRetries, type Deadline, type RetryOptions } from './retry';

export interface AdminOrdersOptions {
  clock?: () => Date;
  retry?: RetryOptions;
}

/** An identity's orders (GET /identities/{contactId}/orders): reads only, for functions/admin-read. */
export class IdentityOrders {
  protected readonly clock: () => Date;

  constructor(
    private readonly reads: Pick<AdminReads, 'identityByContact'>,
    protected readonly orders: CustomerOrderStore,
    protected readonly options: AdminOrdersOptions = {},
  ) {
    this.clock = options.clock ?? (() => new Date());
  }

  /**
   * Every order of the identity containing the contact, newest first (then by orderId). 404 as
   * GET /identities/{contactId}: an unknown or erased contact has no orders to show.
   */
  async ordersOf(contactId: number, deadline: Deadline): Promise<CustomerOrder[]> {
    const { contacts } = await this.reads.identityByContact(contactId, deadline);
    const orders = await withRetries(deadline, () => this.orders.ordersOfCustomers(contacts.map((c) => c.id)), this.options.retry);
    return orders.sort((a, b) =>
      a.createdAt === b.createdAt ? (a.orderId < b.orderId ? -1 : 1) : a.createdAt < b.createdAt ? 1 : -1,
    );
  }
}

/** The orders' side of the admin actions, for functions/admin-erase (and its reads). */
export class AdminOrders extends IdentityOrders {
  constructor(
    private readonly admin: Pick<AdminService, 'identityByContact' | 'erase'>,
    orders: CustomerOrderStore,
    options: AdminOrdersOptions = {},
  ) {
    super(admin, orders, options);
  }

  /**
   * Erases the identity (AdminService.erase: contacts, claims, audit), then clears the email,
   * phone and masked contacts of every order placed under one of its contact ids. The identity's
   * erasure commits first; if the orders' step is cut off, the call fails and a repeated DELETE
   * (which answers the same ids) finishes it, since already cleared orders are skipped.
   */
  async erase(contactId: number, actor: Actor, deadline: Deadline): Promise<{ erasedContactIds: number[] }> {
    const result = await this.admin.erase(contactId, actor, deadline);
    const at = this.clock().toISOString();
    await withRetries(
      deadline,
      async () => {
        const orders = await this.orders.ordersOfCustomers(result.erasedContactIds);
        await this.orders.eraseContactData(orders.map((o) => o.orderId), at);
      },
      this.options.retry,
    );
    return result;
  }
}
