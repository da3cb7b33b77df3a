/**
 * The error body every route answers (SPEC.md, "Errors"), the catalogue of its stable codes, and
 * the bodies API Gateway writes itself (throttling, its JWT authorizer). Response shapes only: the
 * functions build the bodies (lib/http/response.ts); the contract tests check them against these.
 */
import * as z from 'zod/mini';
import { MAX_LINES, MAX_QUANTITY } from '../checkout/catalogue';
import { documented } from './core';

/** Every stable error code, with the status it comes with and when. */
export const ERROR_CODES = {
  invalid_json: { status: 400, when: 'The body is not JSON (also a forbidden key such as `__proto__`), or it is missing.' },
  invalid_encoding: { status: 400, when: 'The body is not valid UTF-8.' },
  invalid_body: { status: 400, when: 'The body is JSON but not an object.' },
  invalid_email: { status: 400, when: '`email` is not a string or null, or not a valid email address.' },
  invalid_phone_number: { status: 400, when: '`phoneNumber` is not a string, a non-negative integer or null, or not a valid phone number.' },
  missing_contact_info: { status: 400, when: 'Neither `email` nor `phoneNumber` is given.' },
  invalid_limit: { status: 400, when: '`limit` is not an integer from 1 to 100.' },
  invalid_cursor: { status: 400, when: '`cursor` is not a cursor returned by this listing.' },
  invalid_include_deleted: { status: 400, when: '`includeDeleted` is not `true` or `false`.' },
  invalid_contact_id: { status: 400, when: 'A contact id is not a positive integer.' },
  invalid_contact_ids: { status: 400, when: '`contactIds` is not an array of two numbers.' },
  invalid_query: { status: 400, when: 'The query string as a whole is not a set of text parameters (a listing\'s own parameters have their own codes).' },
  invalid_order_id: { status: 400, when: '`orderId` is not a UUID.' },
  invalid_items: {
    status: 400,
    when: `\`items\` is not a list of 1 to ${MAX_LINES} lines \`{productId, quantity}\` (quantity a whole number from 1 to ${MAX_QUANTITY}, each product once).`,
  },
  unknown_product: { status: 400, when: 'A `productId` of `items` is not in the catalogue.' },
  unauthorized: { status: 401, when: 'No valid bearer token.' },
  forbidden: { status: 403, when: 'Signed in, but not a member of the `admins` group.' },
  route_not_found: { status: 404, when: 'No such route.' },
  contact_not_found: { status: 404, when: 'No such contact (or it has been erased).' },
  identity_not_found: { status: 404, when: 'No identity has this value.' },
  method_not_allowed: { status: 405, when: 'The path exists, not with this method (see the `Allow` header).' },
  insufficient_stock: { status: 409, when: 'A product of the cart is out of stock, or has fewer units left than ordered; nothing was written.' },
  order_id_conflict: { status: 409, when: 'The `orderId` was already used for another order (another cart or contact); nothing was written.' },
  identity_too_large: { status: 409, when: 'The identity holds as many contacts as its primary item can store (about 4,000); nothing was written.' },
  payload_too_large: { status: 413, when: 'The body is larger than 8 KB (`MAX_BODY_BYTES`).' },
  unsupported_media_type: { status: 415, when: 'The body was sent with a declared non-JSON `Content-Type` (or a charset other than UTF-8).' },
  internal_error: { status: 500, when: 'Anything else; the message is generic.' },
  storage_unavailable: { status: 503, when: 'Storage stayed throttled or unavailable for the request’s time budget; retry after `Retry-After` seconds.' },
  contention: { status: 503, when: 'Too many concurrent changes to the same identity for the request’s time budget; retry after `Retry-After` seconds.' },
} as const satisfies Record<string, { status: number; when: string }>;

export type ErrorCode = keyof typeof ERROR_CODES;
export const ERROR_CODE_LIST = Object.keys(ERROR_CODES) as [ErrorCode, ...ErrorCode[]];

const requestId = documented(z.string(), {
  description: 'The id of this request; the same as the `x-request-id` header and in every log line of the request.',
  example: '6f1c2a4e-3b7d-4d2a-9c1e-8b0f5a7d2e11',
});

export const ErrorDetailSchema = documented(
  z.object({
    code: documented(z.enum(ERROR_CODE_LIST), { description: 'Stable, machine-readable code.' }),
    message: documented(z.string(), { description: 'Human-readable text; never a stack trace, table name or SDK message.' }),
    requestId,
  }),
  { id: 'ErrorDetail' },
);

export const ErrorSchema = documented(z.object({ error: ErrorDetailSchema }), {
  id: 'Error',
  description: 'The body of every error the service answers.',
  example: {
    error: { code: 'invalid_email', message: 'email is not a valid email address.', requestId: '6f1c2a4e-3b7d-4d2a-9c1e-8b0f5a7d2e11' },
  },
});

/** What API Gateway itself answers for throttling (429), its JWT authorizer (401) and oversized payloads (413). */
export const GatewayMessageSchema = documented(z.object({ message: z.string() }), {
  id: 'GatewayMessage',
  description: 'A body written by API Gateway itself, not by the service (HTTP APIs cannot customise it).',
  example: { message: 'Too Many Requests' },
});
