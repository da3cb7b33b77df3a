/**
 * The route table: which function answers which route. The CDK stack creates the HTTP API's
 * routes and functions from it, and the local server (lib/local/server.ts) routes with it, so
 * the two cannot disagree. Requests that match no route go to the `notFound` function
 * (the API's $default route), which answers 404, or 405 for a known path with the wrong method.
 */
import type { TableKey } from './tables';

export type FunctionName = 'identify' | 'health' | 'notFound';

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
      contacts: ['dynamodb:BatchGetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:ConditionCheckItem'],
      emails: ['dynamodb:BatchGetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:ConditionCheckItem'],
      phones: ['dynamodb:BatchGetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:ConditionCheckItem'],
      counters: ['dynamodb:UpdateItem'],
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
