/**
 * What POST /checkout checks of its body, as zod 4 (mini) schemas: the handler's parsing uses them,
 * and the OpenAPI document builds `CheckoutRequest` from them (lib/schemas/checkout.ts, which also
 * holds the response's shape: the function never parses an answer, so its bundle leaves it out).
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

export const OrderId = describe(
  z.uuid(),
  'Chosen by the client once per order (a UUID) and sent again unchanged on every retry: the same orderId answers the same order and never records it twice.',
);
export const Items = describe(z.array(CheckoutLine).check(z.minLength(1), z.maxLength(MAX_LINES)), 'Each product at most once.');

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
