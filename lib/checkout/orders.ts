/**
 * The storage ports of the orders (implemented by lib/checkout/orders-store.ts for DynamoDB): the
 * checkout's (OrderStore) and the admin console's and erasure's (CustomerOrderStore), and the
 * order as it is stored. No DynamoDB and no HTTP here.
 */
import type { CheckoutResponseBody } from '../schemas/checkout';

export interface OrderLine {
  productId: string;
  name: string;
  quantity: number;
  unitPrice: number;
}

export interface StoredOrder {
  orderId: string;
  orderNumber: string;
  items: OrderLine[];
  total: number;
  currency: 'USD';
  /** Normalised, as reconciled (null when not given). */
  email: string | null;
  phoneNumber: string | null;
  /** The identity's primary contact id when the order was placed. */
  customerId: number;
  createdAt: string;
  /** Hash of the normalised request: a reused orderId with another cart or contact is refused. */
  fingerprint: string;
  /** What the shopper was answered (masked contacts only), replayed for a repeated request. */
  response: CheckoutResponseBody;
}

/** An order as the admin console lists it: no contact data (the identity page shows those). */
export interface CustomerOrder {
  orderId: string;
  orderNumber: string;
  createdAt: string;
  /** In cents. */
  total: number;
  currency: 'USD';
  items: Array<{ productId: string; name: string; quantity: number }>;
  /** The contact id the order was placed under (the identity's primary at the time). */
  customerId: number;
}

export interface OrderStore {
  /** The order with this id (strongly consistent), or null. */
  getOrder(orderId: string): Promise<StoredOrder | null>;
  /** Orders recorded per customer id (strongly consistent); ids without orders are left out. */
  orderCounts(customerIds: readonly number[]): Promise<Map<number, number>>;
  /**
   * Records the order and adds it to its customer's count, atomically, only if no order with
   * this id exists and the customer's count is still `previousCount`: otherwise throws
   * WriteConflict (lib/errors.ts) and writes nothing.
   */
  recordOrder(order: StoredOrder, previousCount: number): Promise<void>;
}

/** The admin side of the Orders table (lib/admin-orders.ts): an identity's orders, and their erasure. */
export interface CustomerOrderStore {
  /**
   * Every order placed under any of these customer ids, found through their count items
   * (strongly consistent reads, no index), in no particular order.
   */
  ordersOfCustomers(customerIds: readonly number[]): Promise<CustomerOrder[]>;
  /**
   * Removes the email, the phone, the request fingerprint and the saved answer's masked contacts
   * from these orders, stamping `erasedAt`; orders already cleared are left alone (idempotent).
   * Answers how many orders it changed.
   */
  eraseContactData(orderIds: readonly string[], at: string): Promise<number>;
}
