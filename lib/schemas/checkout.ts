/**
 * POST /checkout in the OpenAPI document: its request schema, built from the fields the function
 * checks (lib/checkout/schema.ts, next to the rules, whose descriptions live in zod's global
 * registry), and its response schema, defined here because no function parses an answer: kept
 * out of the runtime module, it stays out of the checkout bundle. This file copies the global
 * registry's descriptions into `docs`, the one registry the generator reads, and names the two
 * components. No rule here; the response type (`CheckoutResponseBody`) is inferred from it.
 */
import * as z from 'zod/mini';
import { Items, OrderId } from '../checkout/schema';
import { docs, documented, type SchemaDocs } from './core';

const describe = <T extends z.core.$ZodType>(schema: T, description: string): T => documented(schema, { description });

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

/** Copies every `.describe()` / `.meta()` of a schema tree into `docs` (what `docs` already says wins). */
function adoptDescriptions(schema: z.core.$ZodType, seen = new Set<z.core.$ZodType>()): void {
  if (seen.has(schema)) return;
  seen.add(schema);
  const global = z.globalRegistry.get(schema) as SchemaDocs | undefined;
  if (global) docs.add(schema, { ...global, ...docs.get(schema) });
  const def = (schema as z.core.$ZodTypes)._zod.def as unknown as Record<string, unknown>;
  const children: unknown[] = [
    ...(def.shape ? Object.values(def.shape as object) : []),
    ...(Array.isArray(def.options) ? def.options : []),
    def.element,
    def.innerType,
    def.in,
    def.out,
  ];
  for (const child of children) if (child && typeof child === 'object' && '_zod' in child) adoptDescriptions(child as z.core.$ZodType);
}

export const CHECKOUT_REQUEST_EXAMPLE = {
  orderId: '0b6f8e2c-5a1d-4c3e-9f7a-2d4b6c8e0a13',
  items: [
    { productId: 'flux-phone-12', quantity: 1 },
    { productId: 'gigawatt-buds', quantity: 2 },
  ],
  email: 'mcfly@hillvalley.edu',
  phoneNumber: '123456',
};

adoptDescriptions(CheckoutRequest);
adoptDescriptions(CheckoutResponse);

docs.add(CheckoutRequest, {
  ...docs.get(CheckoutRequest),
  id: 'CheckoutRequest',
  description:
    'A checkout: the cart and the shopper’s contact. At least one of `email` and `phoneNumber` must be given, validated and normalised exactly as by `POST /identify`; prices come from the catalogue, never from the client.',
  example: CHECKOUT_REQUEST_EXAMPLE,
});
docs.add(CheckoutResponse, {
  ...docs.get(CheckoutResponse),
  id: 'CheckoutResponse',
  description: 'The recorded order and what the shopper may see of their customer record: contact details masked, never in clear.',
});

