/**
 * The checkout (POST /checkout): validate the cart against the catalogue and the contact by
 * /identify's rules, reconcile the customer through the identity service (in process, never a
 * browser call to /identify), record the order, and answer only what a shopper may see.
 *
 * Order of work, and why nothing is ever half-written:
 *   1. validate everything (400/409 before any read or write);
 *   2. an order with this orderId already recorded → its stored answer (same request, same
 *      answer, nothing written), or 409 when the orderId was used for another request;
 *   3. reconcile (idempotent by SPEC: repeating it writes nothing);
 *   4. one transaction: put the order if its id is new + bump the customer's order count if it
 *      is still the one read. A crash before 4 leaves no order; the client retries with the same
 *      orderId, step 3 writes nothing the second time, and 4 records the order once.
 * No HTTP and no DynamoDB here.
 */
import { createHash } from 'node:crypto';
import { AppError } from '../errors';
import type { IdentityService } from '../identity-service';
import { maskEmail, maskPhone } from '../masking';
import type { IdentityView } from '../model';
import { withRetries, type Deadline, type RetryOptions } from '../retry';
import type { Telemetry } from '../telemetry';
import { CURRENCY, productById } from './catalogue';
import type { OrderLine, OrderStore, StoredOrder } from './orders';
import type { CheckoutResponseBody } from '../schemas/checkout';
import { parseCheckoutRequest, type CheckoutInput } from './schema';

export interface CheckoutServiceOptions {
  clock?: () => Date;
  retry?: RetryOptions;
  /** Counts each order recorded (CheckoutOrder); a replayed order is not counted again. */
  telemetry?: Telemetry;
}

/** The customer's reconciliation, as the checkout needs it (IdentityService.identify). */
export type Reconcile = Pick<IdentityService, 'identify'>;

export class CheckoutService {
  private readonly clock: () => Date;

  constructor(
    private readonly identity: Reconcile,
    private readonly orders: OrderStore,
    private readonly options: CheckoutServiceOptions = {},
  ) {
    this.clock = options.clock ?? (() => new Date());
  }

  async checkout(body: unknown, deadline: Deadline): Promise<CheckoutResponseBody> {
    const input = parseCheckoutRequest(body);
    const lines = priceLines(input.items);
    const fingerprint = fingerprintOf(input);

    const existing = await this.orders.getOrder(input.orderId);
    if (existing) return replay(existing, fingerprint);

    const view = await this.identity.identify(input.contact, deadline);
    // CheckoutOrder metric: the coordinator wires the Powertools metric at the handler's answer.
    return withRetries(
      deadline,
      async (attempt) => {
        if (attempt > 1) {
          // A lost race: another request may have recorded this very order meanwhile.
          const raced = await this.orders.getOrder(input.orderId);
          if (raced) return replay(raced, fingerprint);
        }
        return this.record(input, lines, fingerprint, view);
      },
      this.options.retry,
    );
  }

  private async record(input: CheckoutInput, lines: OrderLine[], fingerprint: string, view: IdentityView): Promise<CheckoutResponseBody> {
    const customerId = view.primaryContactId;
    // Orders are counted per customer id at the time of each order; after merges, the identity's
    // contacts include every earlier primary, so the sum covers the absorbed identities' orders.
    const counts = await this.orders.orderCounts([customerId, ...view.secondaryContactIds]);
    const previousTotal = [...counts.values()].reduce((a, b) => a + b, 0);
    const orderCount = previousTotal + 1;
    const total = lines.reduce((sum, line) => sum + line.unitPrice * line.quantity, 0);
    const createdAt = this.clock().toISOString();
    const response: CheckoutResponseBody = {
      order: {
        orderId: input.orderId,
        orderNumber: orderNumberOf(input.orderId),
        items: lines.map((line) => ({ ...line, lineTotal: line.unitPrice * line.quantity })),
        total,
        currency: CURRENCY,
        createdAt,
      },
      customer: {
        returning: previousTotal > 0,
        customerId,
        orderCount,
        greeting: greetingOf(customerId, orderCount),
        contacts: { emails: view.emails.map(maskEmail), phoneNumbers: view.phoneNumbers.map(maskPhone) },
      },
    };
    const order: StoredOrder = {
      orderId: input.orderId,
      orderNumber: response.order.orderNumber,
      items: lines,
      total,
      currency: CURRENCY,
      email: input.contact.email,
      phoneNumber: input.contact.phoneNumber,
      customerId,
      createdAt,
      fingerprint,
      response,
    };
    await this.orders.recordOrder(order, counts.get(customerId) ?? 0);
    this.options.telemetry?.count('CheckoutOrder');
    return response;
  }
}

/** The cart priced from the catalogue (never from the client): 400 unknown product, 409 stock. */
export function priceLines(items: CheckoutInput['items']): OrderLine[] {
  return items.map(({ productId, quantity }) => {
    const product = productById(productId);
    if (!product) throw new AppError(400, 'unknown_product', `items: there is no product "${productId.slice(0, 64)}".`);
    if (quantity > product.stock) {
      throw new AppError(
        409,
        'insufficient_stock',
        product.stock === 0 ? `${product.name} is out of stock.` : `Only ${product.stock} × ${product.name} left in stock.`,
      );
    }
    return { productId, name: product.name, quantity, unitPrice: product.price };
  });
}

function replay(order: StoredOrder, fingerprint: string): CheckoutResponseBody {
  if (order.fingerprint !== fingerprint) {
    throw new AppError(409, 'order_id_conflict', 'This orderId was already used for another order; start a new order.');
  }
  return order.response;
}

/** Of the normalised request: the same cart and contact give the same fingerprint. */
function fingerprintOf(input: CheckoutInput): string {
  const items = [...input.items].sort((a, b) => (a.productId < b.productId ? -1 : 1));
  return createHash('sha256').update(JSON.stringify([items, input.contact.email, input.contact.phoneNumber])).digest('hex');
}

/** "FK-1A2B3C4D": the first 8 hex digits of the order's UUID, for the shopper to quote. */
export function orderNumberOf(orderId: string): string {
  return `FK-${orderId.replace(/-/g, '').slice(0, 8).toUpperCase()}`;
}

export function ordinal(n: number): string {
  const mod100 = n % 100;
  const suffix = mod100 >= 11 && mod100 <= 13 ? 'th' : ({ 1: 'st', 2: 'nd', 3: 'rd' } as Record<number, string>)[n % 10] ?? 'th';
  return `${n}${suffix}`;
}

export function greetingOf(customerId: number, orderCount: number): string {
  return orderCount > 1
    ? `Welcome back — customer #${customerId}, this is your ${ordinal(orderCount)} order.`
    : 'Welcome, new customer!';
}
