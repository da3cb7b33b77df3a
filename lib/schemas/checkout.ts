/**
 * POST /checkout in the OpenAPI document: the documentation of its request and response schemas
 * (defined with the classic zod API, next to the rules, in lib/checkout/schema.ts). Their
 * `.describe()` texts live in zod's global registry; this file copies them into `docs`, the one
 * registry the generator reads, and names the two components. Documentation only: no rule here.
 */
import * as z from 'zod/mini';
import { CheckoutRequest, CheckoutResponse } from '../checkout/schema';
import { docs, type SchemaDocs } from './core';

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

export { CheckoutRequest, CheckoutResponse };
