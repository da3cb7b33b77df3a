/**
 * The route table: which function answers which route. The CDK stack creates the HTTP API's
 * routes and functions from it, and the local server (lib/local/server.ts) routes with it, so
 * the two cannot disagree. Requests that match no route go to the `notFound` function
 * (the API's $default route), which answers 404, or 405 for a known path with the wrong method.
 */
import type { TableKey } from './tables';

export type FunctionName =
  | 'identify'
  | 'health'
  | 'notFound'
  | 'adminRead'
  | 'adminMerge'
  | 'adminErase'
  | 'adminAudit'
  | 'identityEvents'
  | 'checkout';

export interface FunctionDefinition {
  /** Entry file, relative to the repository root. */
  entry: string;
  description: string;
  /** DynamoDB tables and the exact actions the function needs on each (least privilege). */
  tables: Partial<Record<TableKey, readonly string[]>>;
}

export const FUNCTIONS: Record<FunctionName, FunctionDefinition> = {
  identify: {
    entry: 'functions/identify/index.ts',
    description: 'POST /identify: reconcile a checkout contact into a customer identity',
    tables: {
      contacts: ['dynamodb:BatchGetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
      // DeleteItem: a request that meets an unfinished erasure finishes it (deletes its claims).
      emails: ['dynamodb:BatchGetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
      phones: ['dynamodb:BatchGetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
      counters: ['dynamodb:UpdateItem'],
      changes: ['dynamodb:PutItem'],
    },
  },
  adminRead: {
    entry: 'functions/admin-read/index.ts',
    description: 'Admin reads: GET /contacts, /contacts/{id}, /identities, /identities/{contactId}, /identities/{contactId}/orders, POST /identities/lookup; never writes',
    tables: {
      contacts: ['dynamodb:Query', 'dynamodb:BatchGetItem'],
      emails: ['dynamodb:BatchGetItem'],
      phones: ['dynamodb:BatchGetItem'],
      counters: ['dynamodb:GetItem'],
      // An identity's orders: its customers' count items, then the orders.
      orders: ['dynamodb:BatchGetItem'],
    },
  },
  adminMerge: {
    entry: 'functions/admin-merge/index.ts',
    description: 'Admin: POST /identities/merge, a manual merge of two identities (audited)',
    tables: {
      // UpdateItem: the merge itself and finishing re-links; DeleteItem on claims: finishing an
      // unfinished erasure met on the way.
      contacts: ['dynamodb:BatchGetItem', 'dynamodb:UpdateItem'],
      emails: ['dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
      phones: ['dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
      counters: ['dynamodb:UpdateItem'],
      audit: ['dynamodb:PutItem'],
      changes: ['dynamodb:PutItem'],
    },
  },
  adminErase: {
    entry: 'functions/admin-erase/index.ts',
    description: 'Admin: DELETE /identities/{contactId}, erasure of a customer (audited)',
    tables: {
      contacts: ['dynamodb:BatchGetItem', 'dynamodb:UpdateItem'],
      emails: ['dynamodb:BatchGetItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
      phones: ['dynamodb:BatchGetItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
      counters: ['dynamodb:UpdateItem'],
      audit: ['dynamodb:PutItem'],
      changes: ['dynamodb:PutItem'],
      // The erased customers' orders: their count items and orders read, then email and phone removed.
      orders: ['dynamodb:BatchGetItem', 'dynamodb:UpdateItem'],
    },
  },
  adminAudit: {
    entry: 'functions/admin-audit/index.ts',
    description: 'Admin: GET /audit, the audit log of admin actions',
    tables: {
      audit: ['dynamodb:Query'],
      counters: ['dynamodb:GetItem'],
    },
  },
  checkout: {
    entry: 'functions/checkout/index.ts',
    description: 'POST /checkout: the storefront order; reconciles the customer in process, answers masked contacts only',
    tables: {
      // The identify function's grants (the reconciliation runs in process), plus the orders.
      contacts: ['dynamodb:BatchGetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
      emails: ['dynamodb:BatchGetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
      phones: ['dynamodb:BatchGetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
      counters: ['dynamodb:UpdateItem'],
      changes: ['dynamodb:PutItem'],
      // GetItem: the order by id; BatchGetItem: order counts; PutItem + UpdateItem: the transaction.
      orders: ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
    },
  },
  health: {
    entry: 'functions/health/index.ts',
    description: 'GET /health: liveness, touches no data',
    tables: {},
  },
  notFound: {
    entry: 'functions/not-found/index.ts',
    description: 'Every unknown route: 404, or 405 for a known path with the wrong method',
    tables: {},
  },
  identityEvents: {
    entry: 'functions/identity-events/index.ts',
    description: 'DynamoDB Streams (Changes) -> EventBridge: the change events of identities; no HTTP route',
    // Reads the Changes stream only (granted on the stream by its event source, infra/events/).
    tables: {},
  },
};

export interface Route {
  method: 'GET' | 'POST' | 'DELETE';
  /** API Gateway path syntax; `{name}` is a path parameter. */
  path: string;
  function: FunctionName;
  /**
   * `public`: open to callers (the stack can put /identify behind IAM with a property).
   * `admin`: a Cognito JWT of the `admins` group, checked by the API's JWT authorizer and again
   * in the handler; locally the server accepts the ADMIN_TOKEN bearer token instead.
   */
  auth: 'public' | 'admin';
}

export const ROUTES: readonly Route[] = [
  { method: 'POST', path: '/identify', function: 'identify', auth: 'public' },
  { method: 'GET', path: '/health', function: 'health', auth: 'public' },
  { method: 'POST', path: '/checkout', function: 'checkout', auth: 'public' },
  { method: 'GET', path: '/contacts', function: 'adminRead', auth: 'admin' },
  { method: 'GET', path: '/contacts/{id}', function: 'adminRead', auth: 'admin' },
  { method: 'GET', path: '/identities/{contactId}', function: 'adminRead', auth: 'admin' },
  { method: 'GET', path: '/identities/{contactId}/orders', function: 'adminRead', auth: 'admin' },
  // The lookup by value, with the values in the body: no email or phone is ever in a URL (there
  // is no GET form of it: a query string ends up in access logs, proxies and browser history).
  { method: 'POST', path: '/identities/lookup', function: 'adminRead', auth: 'admin' },
  { method: 'POST', path: '/identities/merge', function: 'adminMerge', auth: 'admin' },
  { method: 'DELETE', path: '/identities/{contactId}', function: 'adminErase', auth: 'admin' },
  { method: 'GET', path: '/audit', function: 'adminAudit', auth: 'admin' },
];

/**
 * Routes that only the local server (`npm start`) answers, before routing: API Gateway does not
 * serve them. They are in the API contract (openapi.json, marked `x-local-only`) so that their
 * answers are contract-checked too; the CDK stack ignores them.
 */
export const LOCAL_ROUTES: readonly Pick<Route, 'method' | 'path' | 'auth'>[] = [
  // The change events as server-sent events (lib/local/event-feed.ts); API Gateway cannot stream.
  { method: 'GET', path: '/admin/events', auth: 'admin' },
];

export interface RouteMatch {
  route: Route;
  pathParameters: Record<string, string>;
}

function pattern(path: string): RegExp {
  const source = path
    .split('/')
    .map((part) => (/^\{\w+\}$/.test(part) ? `(?<${part.slice(1, -1)}>[^/]+)` : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('/');
  return new RegExp(`^${source}$`);
}

const COMPILED = ROUTES.map((route) => ({ route, regex: pattern(route.path) }));

/** The route for a method and path, as API Gateway would pick it. */
export function matchRoute(method: string, path: string): RouteMatch | null {
  for (const { route, regex } of COMPILED) {
    const m = regex.exec(path);
    if (m && route.method === method.toUpperCase()) {
      return { route, pathParameters: { ...(m.groups ?? {}) } };
    }
  }
  return null;
}

/** Methods that a path accepts (empty when the path is unknown). */
export function allowedMethods(path: string): string[] {
  return COMPILED.filter(({ regex }) => regex.test(path)).map(({ route }) => route.method);
}
