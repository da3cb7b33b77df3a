/**
 * The checkout's request and response shapes (POST /checkout), as zod 4 schemas: the handler's
 * parsing uses them, and the OpenAPI document registers `CheckoutRequest` / `CheckoutResponse`.
 * The contact fields are validated by lib/validation.ts, the same rules, codes and messages as
 * POST /identify; the rest of the rules (the cart against the catalogue) are in service.ts.
 * No HTTP, no storage here.
 */
import { z } from 'zod';
import { ValidationError } from '../errors';
import { parseIdentifyRequest, type IdentifyRequest } from '../validation';
import { MAX_LINES, MAX_QUANTITY } from './catalogue';

export const CheckoutLine = z.object({
  productId: z.string().min(1).max(64),
  quantity: z.int().min(1).max(MAX_QUANTITY),
});

export const CheckoutRequest = z
  .object({
    orderId: z.uuid().describe(
      'Chosen by the client once per order (a UUID) and sent again unchanged on every retry: the same orderId answers the same order and never records it twice.',
    ),
    items: z.array(CheckoutLine).min(1).max(MAX_LINES).describe('Each product at most once.'),
    email: z.string().nullable().optional().describe('Normalised and validated as in POST /identify.'),
    phoneNumber: z.union([z.string(), z.int().min(0)]).nullable().optional().describe('As in POST /identify.'),
  })
  .describe('A checkout: the cart and the shopper\'s contact (at least one of email and phoneNumber).');

const MoneyCents = z.int().min(0).describe('US cents');

export const CheckoutResponse = z.object({
  order: z.object({
    orderId: z.uuid(),
    orderNumber: z.string().describe('Short reference shown to the shopper, e.g. FK-1A2B3C4D'),
    items: z.array(
      z.object({ productId: z.string(), name: z.string(), quantity: z.int(), unitPrice: MoneyCents, lineTotal: MoneyCents }),
    ),
    total: MoneyCents,
    currency: z.literal('USD'),
    createdAt: z.iso.datetime(),
  }),
  customer: z.object({
    returning: z.boolean().describe('true when the customer had ordered before'),
    customerId: z.int().describe('The identity\'s primary contact id when the order was placed'),
    orderCount: z.int().describe('This order is the customer\'s orderCount-th, counting every contact of the identity'),
    greeting: z.string(),
    contacts: z
      .object({ emails: z.array(z.string()), phoneNumbers: z.array(z.string()) })
      .describe('The contact details on file, masked (g***@***.edu, ***91): never in clear'),
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
  const orderId = CheckoutRequest.shape.orderId.safeParse(Object.hasOwn(raw, 'orderId') ? raw.orderId : undefined);
  if (!orderId.success) {
    throw new ValidationError('invalid_order_id', 'orderId must be a UUID chosen by the client for this order.');
  }
  const items = CheckoutRequest.shape.items.safeParse(Object.hasOwn(raw, 'items') ? raw.items : undefined);
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
