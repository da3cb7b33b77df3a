/**
 * The API contract of every route of lib/routes.ts, in one table: its request schemas (path, query,
 * body), its responses by status (a body schema, or the error codes it may answer) and their
 * headers. lib/schemas/document.ts turns it into openapi.json and fails when a route has no entry
 * here, so a new route cannot be forgotten: add its entry (schemas from its own module) and run
 * `npm run openapi`. Only the document generator and the tests import this file; no function does.
 */
import type * as z from 'zod/mini';
import type { Route } from '../routes';
import {
  AuditPageSchema,
  AuditQuerySchema,
  ChangeEventStreamSchema,
  ContactListSchema,
  ContactPathSchema,
  ContactResponseSchema,
  ErasureSchema,
  IdentityDetailsSchema,
  IdentityListSchema,
  IdentityPathSchema,
  ListContactsQuerySchema,
  MergeRequestSchema,
} from './admin';
import { CHECKOUT_REQUEST_EXAMPLE, CheckoutRequest, CheckoutResponse } from './checkout';
import type { ErrorCode } from './errors';
import { CustomerOrdersSchema } from './orders';
import { HealthResponseSchema, IdentifyRequestSchema, IdentifyResponseSchema, WORKED_EXAMPLES } from './identify';

type Schema = z.core.$ZodType;

export type HeaderName = 'x-request-id' | 'retry-after' | 'allow' | 'www-authenticate';

export interface Example {
  summary: string;
  value: unknown;
}

export interface ResponseContract {
  description: string;
  /** The body of a success. */
  body?: Schema;
  /** The media type of `body` (default application/json), e.g. text/event-stream for a stream of events. */
  mediaType?: string;
  /** An error: the Error body with one of these codes. */
  errors?: readonly ErrorCode[];
  /** API Gateway may answer this status itself, with its own `{"message"}` body (GatewayMessage). */
  gateway?: 'also' | 'only';
  /** Headers besides `x-request-id`, which every response documents. */
  headers?: readonly HeaderName[];
  examples?: Record<string, Example>;
}

export interface OperationContract {
  operationId: string;
  summary: string;
  description: string;
  tag: 'Identity' | 'Checkout' | 'Admin' | 'Health';
  request?: {
    path?: Schema;
    query?: Schema;
    body?: Schema;
    bodyExamples?: Record<string, Example>;
  };
  responses: Record<number, ResponseContract>;
}

/** `METHOD /path` exactly as in lib/routes.ts (ROUTES, or LOCAL_ROUTES for the local server's own). */
export type RouteKey = `${Route['method']} ${string}`;

export const routeKey = (route: Pick<Route, 'method' | 'path'>): RouteKey => `${route.method} ${route.path}`;

/** The responses that depend only on what kind of route it is. */
function standard(kind: { admin?: boolean; jsonBody?: boolean; storage?: boolean }): Record<number, ResponseContract> {
  const responses: Record<number, ResponseContract> = {
    413: {
      description: 'The body is larger than 8 KB. API Gateway itself refuses bodies over 10 MB, with its own body.',
      errors: ['payload_too_large'],
      gateway: 'also',
    },
    429: {
      description: 'Throttled by the API’s stage limits. API Gateway answers this itself: its body is `{"message":"Too Many Requests"}`.',
      gateway: 'only',
    },
    500: { description: 'An unexpected error; the message is generic.', errors: ['internal_error'] },
  };
  if (kind.admin) {
    responses[401] = {
      description:
        'No valid bearer token. In AWS, API Gateway’s JWT authorizer answers a missing or invalid token itself, with `{"message":"Unauthorized"}`.',
      errors: ['unauthorized'],
      gateway: 'also',
      headers: ['www-authenticate'],
    };
    responses[403] = { description: 'Signed in, but not a member of the `admins` group.', errors: ['forbidden'] };
  }
  if (kind.jsonBody) {
    responses[415] = { description: 'The body was sent with a declared non-JSON `Content-Type`.', errors: ['unsupported_media_type'] };
  }
  if (kind.storage) {
    responses[503] = {
      description: 'Storage stayed unavailable, throttled or contended for the request’s time budget. Nothing half-done is left behind; safe to retry after `Retry-After` seconds.',
      errors: ['storage_unavailable', 'contention'],
      headers: ['retry-after'],
    };
  }
  return responses;
}

const admin = { admin: true, storage: true } as const;

const identityDetails = (description: string): ResponseContract => ({ description, body: IdentityDetailsSchema });

const CONTACT_ERRORS = ['invalid_json', 'invalid_encoding', 'invalid_body', 'invalid_email', 'invalid_phone_number', 'missing_contact_info'] as const;

/** Every route's contract, keyed `METHOD /path` as in lib/routes.ts ROUTES and LOCAL_ROUTES. */
export const OPERATIONS: Record<RouteKey, OperationContract> = {
  'POST /identify': {
    operationId: 'identify',
    tag: 'Identity',
    summary: 'Reconcile a checkout’s contact into a customer identity',
    description:
      'Links every contact that shares the email or the phone number, directly or through other contacts, into one identity, and answers it. No match: a new primary contact. Matches in one identity: a new secondary contact only if the request brings a value the identity does not have yet. The email in one identity and the phone in another: the two merge, the older primary stays primary. The same request repeated gives the same answer and writes nothing the second time. A rejected request writes nothing.',
    request: {
      body: IdentifyRequestSchema,
      bodyExamples: Object.fromEntries(
        Object.entries(WORKED_EXAMPLES).map(([name, e]) => [name, { summary: e.summary, value: e.request }]),
      ),
    },
    responses: {
      200: {
        description: 'The consolidated identity, including this request’s own email and phone.',
        body: IdentifyResponseSchema,
        examples: Object.fromEntries(
          Object.entries(WORKED_EXAMPLES).map(([name, e]) => [name, { summary: e.summary, value: e.response }]),
        ),
      },
      400: {
        description: 'The body is not a valid request; nothing was written.',
        errors: CONTACT_ERRORS,
      },
      409: { description: 'The identity cannot grow any further; nothing was written.', errors: ['identity_too_large'] },
      ...standard({ jsonBody: true, storage: true }),
    },
  },
  'POST /checkout': {
    operationId: 'checkout',
    tag: 'Checkout',
    summary: 'Place a storefront order',
    description:
      'Prices the cart from the catalogue (never from the client), reconciles the shopper’s contact into their identity exactly as `POST /identify` does (in process), records the order and answers it with the customer’s order count and masked contact details. Idempotent by `orderId`: the same request again answers the same order and records nothing; the same `orderId` with another cart or contact is refused. A rejected request writes nothing.',
    request: { body: CheckoutRequest, bodyExamples: { order: { summary: 'Two products, email and phone', value: CHECKOUT_REQUEST_EXAMPLE } } },
    responses: {
      200: { description: 'The order (new, or the one already recorded with this `orderId`) and the customer.', body: CheckoutResponse },
      400: {
        description: 'The body is not a valid checkout; nothing was written.',
        errors: [...CONTACT_ERRORS, 'invalid_order_id', 'invalid_items', 'unknown_product'],
      },
      409: {
        description: 'The cart cannot be ordered, or the `orderId` belongs to another order; nothing was written.',
        errors: ['insufficient_stock', 'order_id_conflict', 'identity_too_large'],
      },
      ...standard({ jsonBody: true, storage: true }),
    },
  },
  'GET /health': {
    operationId: 'health',
    tag: 'Health',
    summary: 'Liveness',
    description: 'Answers as soon as the function runs. Touches no data and needs no configuration.',
    responses: {
      200: { description: 'The function is up.', body: HealthResponseSchema },
      ...standard({}),
    },
  },
  'GET /contacts': {
    operationId: 'listContacts',
    tag: 'Admin',
    summary: 'List contacts',
    description:
      'A page of contact rows in id order; erased rows only with `includeDeleted=true`. Follow `nextCursor` until it is `null`: pagination never skips or repeats a row that existed when it started, and a page may be short (even empty) where ids are sparse.',
    request: { query: ListContactsQuerySchema },
    responses: {
      200: { description: 'A page of contacts.', body: ContactListSchema },
      400: { description: 'A bad query parameter.', errors: ['invalid_limit', 'invalid_cursor', 'invalid_include_deleted'] },
      ...standard(admin),
    },
  },
  'GET /contacts/{id}': {
    operationId: 'getContact',
    tag: 'Admin',
    summary: 'Read a contact',
    description: 'One contact row by id; an erased row too (with `deletedAt` and no email or phone).',
    request: { path: ContactPathSchema },
    responses: {
      200: { description: 'The contact row.', body: ContactResponseSchema },
      400: { description: 'The id is not a positive integer.', errors: ['invalid_contact_id'] },
      404: { description: 'No such contact.', errors: ['contact_not_found'] },
      ...standard(admin),
    },
  },
  'GET /identities/{contactId}': {
    operationId: 'getIdentity',
    tag: 'Admin',
    summary: 'Read the identity of a contact',
    description: 'The identity that contains the contact, with its rows. Never writes.',
    request: { path: IdentityPathSchema },
    responses: {
      200: identityDetails('The identity, with its rows.'),
      400: { description: 'The id is not a positive integer.', errors: ['invalid_contact_id'] },
      404: { description: 'No such contact, or it has been erased.', errors: ['contact_not_found'] },
      ...standard(admin),
    },
  },
  'GET /identities/{contactId}/orders': {
    operationId: 'getIdentityOrders',
    tag: 'Admin',
    summary: 'Read the orders of a customer',
    description:
      'Every storefront order placed under any contact id of the identity that contains the contact (an order is recorded under the primary id of its time; after merges those are contacts of the identity), newest first. Orders of an erased customer keep no email or phone. Never writes.',
    request: { path: IdentityPathSchema },
    responses: {
      200: { description: 'The customer’s orders (possibly none).', body: CustomerOrdersSchema },
      400: { description: 'The id is not a positive integer.', errors: ['invalid_contact_id'] },
      404: { description: 'No such contact, or it has been erased.', errors: ['contact_not_found'] },
      ...standard(admin),
      },
    },
  'POST /identities/lookup': {
    operationId: 'lookupIdentities',
    tag: 'Admin',
    summary: 'Look identities up by email and/or phone',
    description:
      'The values in the body, so that no email or phone number is ever in a URL. The body is validated and normalised as `POST /identify`’s. Answers the identities that hold the email or the phone: one, or two when they belong to different identities (oldest primary first). Never writes.',
    request: { body: IdentifyRequestSchema, bodyExamples: { both: { summary: 'An email and a phone', value: { email: 'mcfly@hillvalley.edu', phoneNumber: '123456' } } } },
    responses: {
      200: { description: 'The identities that hold the values, with their rows.', body: IdentityListSchema },
      400: { description: 'The body is not a valid request.', errors: CONTACT_ERRORS },
      404: { description: 'No identity has either value.', errors: ['identity_not_found'] },
      ...standard({ ...admin, jsonBody: true }),
    },
  },
  'POST /identities/merge': {
    operationId: 'mergeIdentities',
    tag: 'Admin',
    summary: 'Merge two identities',
    description:
      'Merges the identities of the two contacts exactly as `POST /identify`’s merge rule would: the older primary stays primary, everything else is re-linked to it. Repeating it changes nothing. Audited.',
    request: { body: MergeRequestSchema },
    responses: {
      200: identityDetails('The merged identity, with its rows.'),
      400: {
        description: 'The body is not a valid request; nothing was written.',
        errors: ['invalid_json', 'invalid_encoding', 'invalid_body', 'invalid_contact_ids', 'invalid_contact_id'],
      },
      404: { description: 'One of the contacts does not exist or has been erased.', errors: ['contact_not_found'] },
      409: { description: 'The merged identity would be too large; nothing was written.', errors: ['identity_too_large'] },
      ...standard({ ...admin, jsonBody: true }),
    },
  },
  'DELETE /identities/{contactId}': {
    operationId: 'eraseIdentity',
    tag: 'Admin',
    summary: 'Erase a customer',
    description:
      'Erases the whole identity of the contact: every contact gets `deletedAt` and loses its email and phone, and the values are released, so the same values later start a new identity. Then every order placed under one of its contact ids loses its email, phone and masked contacts. Repeating it answers the same ids (and finishes the orders); a caller that did not get a 200 should repeat it. Audited.',
    request: { path: IdentityPathSchema },
    responses: {
      200: { description: 'The erased contacts.', body: ErasureSchema },
      400: { description: 'The id is not a positive integer.', errors: ['invalid_contact_id'] },
      404: { description: 'No such contact.', errors: ['contact_not_found'] },
      ...standard(admin),
    },
  },
  'GET /audit': {
    operationId: 'listAudit',
    tag: 'Admin',
    summary: 'Read the audit log',
    description: 'Merges and erasures, oldest first. Entries never hold an email or a phone number.',
    request: { query: AuditQuerySchema },
    responses: {
      200: { description: 'A page of the audit log.', body: AuditPageSchema },
      400: { description: 'A bad query parameter.', errors: ['invalid_limit', 'invalid_cursor'] },
      ...standard(admin),
    },
  },
  'GET /admin/events': {
    operationId: 'streamChangeEvents',
    tag: 'Admin',
    summary: 'Follow the change events live (local only)',
    description:
      'Served by `npm start` only (`x-local-only`): API Gateway HTTP APIs cannot stream, so deployed consumers subscribe to the EventBridge bus instead. Every committed identify, merge and erase, as server-sent events. A client reconnecting with `Last-Event-ID` first gets the events it missed (of the last 500). A comment line every 15 s keeps the connection open.',
    responses: {
      200: { description: 'The feed: a stream that stays open.', body: ChangeEventStreamSchema, mediaType: 'text/event-stream' },
      401: { description: 'No valid bearer token.', errors: ['unauthorized'], headers: ['www-authenticate'] },
      403: { description: 'Signed in, but not a member of the `admins` group.', errors: ['forbidden'] },
      404: { description: 'This local server runs without the change-event pipeline (only `npm start` wires it).', errors: ['route_not_found'] },
    },
  },
};

/**
 * What the API's `$default` route answers (functions/not-found, and lib/local/server.ts before
 * routing): requests that match no route. Written to the document as `x-default-route`.
 */
export const DEFAULT_ROUTE_RESPONSES: Record<number, ResponseContract> = {
  404: { description: 'No route has this path.', errors: ['route_not_found'] },
  405: { description: 'The path exists, not with this method; `Allow` lists the methods it takes.', errors: ['method_not_allowed'], headers: ['allow'] },
  413: { description: 'A body over the platform’s 10 MB limit, refused before routing.', errors: ['payload_too_large'], gateway: 'also' },
};
