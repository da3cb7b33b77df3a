/**
 * The contract check of every HTTP response a test receives: the committed openapi.json, compiled
 * with ajv (JSON Schema 2020-12, the dialect of OpenAPI 3.1). A response passes when its status is
 * documented for its route (the route template found by lib/routes.ts matchRoute, or one of its
 * LOCAL_ROUTES, which the local server answers before routing; a request that matches no route is
 * checked against the document's `x-default-route`), every required header of that response is
 * there and every documented header present has a valid value, and its body has a documented media
 * type and validates against the schema. test/support/http.ts calls it for every
 * answer; browser tests call it for every API response the page receives.
 *
 *   expectToMatchContract({ method: 'POST', url: 'http://127.0.0.1:3000/identify', status, headers, body })
 *
 * No test framework inside: it throws an Error listing every problem, so it works from vitest and
 * from Playwright callbacks alike (`contractProblems` returns the list instead).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { LOCAL_ROUTES, matchRoute } from '../../lib/routes';

export interface ContractResponse {
  method: string;
  /** Absolute URL or path (the query is ignored). */
  url: string;
  status: number;
  /** fetch's Headers, or a plain object (node, Playwright's `response.headers()`). */
  headers: Headers | Record<string, string | string[] | undefined>;
  /**
   * The body as received (text); `undefined` when it is not available (a browser's event stream,
   * or a body the browser dropped): then the status and headers are checked, not the body.
   */
  body: string | undefined;
}

type Json = Record<string, any>;

const DOCUMENT_FILE = resolve(import.meta.dirname, '../../openapi.json');
const COMPONENTS_ID = 'openapi-components';

let compiled: { document: Json; ajv: Ajv2020; validators: Map<string, ValidateFunction> } | undefined;

/** `#/components/schemas/X` → a reference into the one schema that holds all components. */
function rewriteRefs(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(rewriteRefs);
  if (!value || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, v]) => [
      key,
      key === '$ref' && typeof v === 'string' ? v.replace('#/components/schemas/', `${COMPONENTS_ID}#/$defs/`) : rewriteRefs(v),
    ]),
  );
}

function contract() {
  if (!compiled) {
    const document = JSON.parse(readFileSync(DOCUMENT_FILE, 'utf8')) as Json;
    const ajv = new Ajv2020({ allErrors: true, strict: true, strictTypes: false });
    addFormats(ajv);
    ajv.addKeyword('example'); // OpenAPI's own annotation keyword
    ajv.addSchema({ $id: COMPONENTS_ID, $defs: rewriteRefs(document.components.schemas) as Json });
    compiled = { document, ajv, validators: new Map() };
  }
  return compiled;
}

function deref(document: Json, value: Json): Json {
  if (typeof value.$ref !== 'string') return value;
  const path = (value.$ref as string).replace(/^#\//, '').split('/');
  return path.reduce<Json>((node, key) => node?.[key.replace(/~1/g, '/').replace(/~0/g, '~')], document);
}

function headerMap(headers: ContractResponse['headers']): Map<string, string> {
  const map = new Map<string, string>();
  if (headers instanceof Headers) {
    headers.forEach((value, key) => map.set(key.toLowerCase(), value));
  } else {
    for (const [key, value] of Object.entries(headers)) {
      if (value !== undefined) map.set(key.toLowerCase(), Array.isArray(value) ? value.join(', ') : value);
    }
  }
  return map;
}

/** The documented responses for a request, and a name for messages. */
function responsesFor(document: Json, method: string, path: string): { where: string; responses: Json } | string {
  // The local server's own routes (no path parameters) are answered before routing, as it does.
  const local = LOCAL_ROUTES.find((route) => route.method === method && route.path === path);
  const match = local ? { route: local } : matchRoute(method, path);
  if (!match) return { where: `x-default-route (no route for ${method} ${path})`, responses: document['x-default-route'].responses };
  const operation = document.paths?.[match.route.path]?.[method.toLowerCase()];
  if (!operation) return `${method} ${match.route.path} is routed (lib/routes.ts) but has no operation in openapi.json: run \`npm run openapi\``;
  return { where: `${method} ${match.route.path}`, responses: operation.responses };
}

function validatorFor(key: string, schema: Json): ValidateFunction {
  const { ajv, validators } = contract();
  let validate = validators.get(key);
  if (!validate) {
    validate = ajv.compile(rewriteRefs(schema) as Json);
    validators.set(key, validate);
  }
  return validate;
}

/** Every way `response` departs from openapi.json (empty when it matches). */
export function contractProblems(response: ContractResponse): string[] {
  const { document } = contract();
  const method = response.method.toUpperCase();
  const path = new URL(response.url, 'http://localhost').pathname;
  const found = responsesFor(document, method, path);
  if (typeof found === 'string') return [found];
  const { where, responses } = found;
  const status = String(response.status);
  const spec = responses[status] ?? responses[`${status[0]}XX`] ?? responses.default;
  if (!spec) return [`${where}: status ${status} is not documented (documented: ${Object.keys(responses).join(', ')})`];

  const problems: string[] = [];
  const label = `${where} → ${status}`;
  const headers = headerMap(response.headers);
  for (const [name, ref] of Object.entries((spec.headers ?? {}) as Record<string, Json>)) {
    const header = deref(document, ref);
    const value = headers.get(name.toLowerCase());
    if (value === undefined) {
      if (header.required) problems.push(`${label}: the required header ${name} is missing`);
      continue;
    }
    const typed = header.schema?.type === 'integer' || header.schema?.type === 'number' ? Number(value) : value;
    const validate = validatorFor(`header ${where} ${status} ${name}`, header.schema ?? {});
    if (!validate(typed)) problems.push(`${label}: header ${name}: ${JSON.stringify(value)}: ${validate.errors?.map((e) => e.message).join('; ')}`);
  }

  const content = (spec.content ?? {}) as Record<string, Json>;
  const mediaTypes = Object.keys(content);
  const contentType = (headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  if (mediaTypes.length === 0) {
    if (response.body) problems.push(`${label}: a body where the document has none`);
    return problems;
  }
  const media = content[contentType];
  if (!media) return [...problems, `${label}: content-type ${JSON.stringify(contentType)} is not one of ${mediaTypes.join(', ')}`];
  if (response.body === undefined) return problems;
  let body: unknown = response.body;
  if (/^application\/(.+\+)?json$/.test(contentType)) {
    try {
      body = JSON.parse(response.body);
    } catch {
      return [...problems, `${label}: the body is not JSON: ${response.body.slice(0, 200)}`];
    }
  }
  const validate = validatorFor(`body ${where} ${status} ${contentType}`, media.schema ?? {});
  if (!validate(body)) {
    const errors = (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}${e.params ? ` ${JSON.stringify(e.params)}` : ''}`);
    problems.push(`${label}: the body does not match the document:\n  ${errors.join('\n  ')}\n  body: ${response.body.slice(0, 500)}`);
  }
  return problems;
}

/** Throws when `response` is not what openapi.json promises for its request. */
export function expectToMatchContract(response: ContractResponse): void {
  const problems = contractProblems(response);
  if (problems.length > 0) {
    throw new Error(`Response outside the API contract (openapi.json):\n${problems.join('\n')}`);
  }
}
