/**
 * The checkout's request and response shapes (POST /checkout), as zod 4 (mini) schemas: the handler's
 * parsing uses them, and the OpenAPI document registers `CheckoutRequest` / `CheckoutResponse`.
 * The contact fields are validated by lib/validation.ts, the same rules, codes and messages as
 * POST /identify; the rest of the rules (the cart against the catalogue) are in service.ts.
 * No HTTP, no storage here.
 */
import * as z from 'zod/mini';
import { ValidationError } from '../errors';
import { parseIdentifyRequest, type IdentifyRequest } from '../validation';
import { MAX_LINES, MAX_QUANTITY } from './catalogue';

/**
 * zod/mini (not the classic API, which adds ~450 KB to the function's bundle): a description is
 * registered in zod's global registry, where lib/schemas/checkout.ts reads it for the document.
 */
function describe<T extends z.core.$ZodType>(schema: T, description: string): T {
  z.globalRegistry.add(schema, { description });
  return schema;
}

export const CheckoutLine = z.object({
  productId: z.string().check(z.minLength(1), z.maxLength(64)),
  quantity: z.int().check(z.minimum(1), z.maximum(MAX_QUANTITY)),
});

const OrderId = describe(
  z.uuid(),
  'Chosen by the client once per order (a UUID) and sent again unchanged on every retry: the same orderId answers the same order and never records it twice.',
);
const Items = describe(z.array(CheckoutLine).check(z.minLength(1), z.maxLength(MAX_LINES)), 'Each product at most once.');

export const CheckoutRequest = describe(
  z.object({
    orderId: OrderId,
    items: Items,
    email: describe(z.optional(z.nullable(z.string())), 'Normalised and validated as in POST /identify.'),
    phoneNumber: describe(z.optional(z.nullable(z.union([z.string(), z.int().check(z.minimum(0))]))), 'As in POST /identify.'),
  }),
  'A checkout: the cart and the shopper\'s contact (at least one of email and phoneNumber).',
);

const MoneyCents = () => describe(z.int().check(z.minimum(0)), 'US cents');

export const CheckoutResponse = z.object({
  order: z.object({
    orderId: z.uuid(),
    orderNumber: describe(z.string(), 'Short reference shown to the shopper, e.g. FK-1A2B3C4D'),
    items: z.array(
      z.object({ productId: z.string(), name: z.string(), quantity: z.int(), unitPrice: MoneyCents(), lineTotal: MoneyCents() }),
    ),
    total: MoneyCents(),
    currency: z.literal('USD'),
    createdAt: z.iso.datetime(),
  }),
  customer: z.object({
    returning: describe(z.boolean(), 'true when the customer had ordered before'),
    customerId: describe(z.int(), 'The identity\'s primary contact id when the order was placed'),
    orderCount: describe(z.int(), 'This order is the customer\'s orderCount-th, counting every contact of the identity'),
    greeting: z.string(),
    contacts: describe(
      z.object({ emails: z.array(z.string()), phoneNumbers: z.array(z.string()) }),
      'The contact details on file, masked (g***@***.edu, ***91): never in clear',
    ),
  }),
});

export type CheckoutResponseBody = z.infer<typeof CheckoutResponse>;

export interface CheckoutInput {
  orderId: string;
  items: { productId: string; quantity: number }[];
  contact: IdentifyRequest;
}

/**
 * Validates a checkout body: 400 with a code naming the field (invalid_email,
 * invalid_phone_number, missing_contact_info as in /identify; invalid_order_id, invalid_items).
 */
export function parseCheckoutRequest(body: unknown): CheckoutInput {
  // Not an object, email, phone: exactly /identify's checks (it ignores the other fields).
  const contact = parseIdentifyRequest(body);
  const raw = body as Record<string, unknown>;
  const orderId = z.safeParse(OrderId, Object.hasOwn(raw, 'orderId') ? raw.orderId : undefined);
  if (!orderId.success) {
    throw new ValidationError('invalid_order_id', 'orderId must be a UUID chosen by the client for this order.');
  }
  const items = z.safeParse(Items, Object.hasOwn(raw, 'items') ? raw.items : undefined);
  if (!items.success) {
    throw new ValidationError(
      'invalid_items',
      `items must be a list of 1 to ${MAX_LINES} lines {productId, quantity}, with quantity a whole number from 1 to ${MAX_QUANTITY}.`,
    );
  }
  const ids = items.data.map((line) => line.productId);
  if (new Set(ids).size !== ids.length) {
    throw new ValidationError('invalid_items', 'items must list each product once.');
  }
  return { orderId: orderId.data.toLowerCase(), items: items.data.map(({ productId, quantity }) => ({ productId, quantity })), contact };
}
