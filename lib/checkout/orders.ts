/**
 * The storage port of the checkout (implemented by lib/checkout/orders-store.ts for DynamoDB)
 * and the order as it is stored. No DynamoDB and no HTTP here.
 */
import type { CheckoutResponseBody } from './schema';

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
