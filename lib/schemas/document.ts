/**
 * Builds the OpenAPI 3.1 document (openapi.json) from the route table (lib/routes.ts), the
 * contracts of lib/schemas/registry.ts and the zod schemas they name. JSON Schemas come from zod's
 * own generator (draft 2020-12, the dialect of OpenAPI 3.1): request schemas as what a caller may
 * send (`io: "input"`), responses as what the service answers (`io: "output"`, no extra fields).
 * Used by `npm run openapi` (scripts/openapi.ts) and by the tests; no function imports it.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import * as z from 'zod/mini';
import { LOCAL_ROUTES, ROUTES, type Route } from '../routes';
import { docs } from './core';
import { ERROR_CODES, ErrorSchema, GatewayMessageSchema } from './errors';
import {
  DEFAULT_ROUTE_RESPONSES,
  OPERATIONS,
  routeKey,
  type Example,
  type HeaderName,
  type OperationContract,
  type ResponseContract,
} from './registry';

type Json = Record<string, unknown>;
type Schema = z.core.$ZodType;

const ROOT = resolve(import.meta.dirname, '../..');
const REF = (id: string) => `#/components/schemas/${id}`;

/** Response headers; those with a component name are shared through #/components/headers. */
const HEADERS: Record<HeaderName, { component?: string; header: Json }> = {
  'x-request-id': {
    component: 'RequestId',
    header: {
      description: 'The id of this request, as in the error body’s `requestId` and in every log line of the request.',
      required: true,
      schema: { type: 'string' },
    },
  },
  'retry-after': {
    component: 'RetryAfter',
    header: { description: 'Seconds to wait before retrying.', required: true, schema: { type: 'integer', minimum: 0 } },
  },
  // Only the default route (an extension) answers it, and a component used only there counts as unused.
  allow: {
    header: { description: 'The methods the path takes, e.g. `POST`.', required: true, schema: { type: 'string' } },
  },
  'www-authenticate': {
    component: 'WwwAuthenticate',
    header: { description: 'The authentication scheme: `Bearer`.', required: false, schema: { type: 'string' } },
  },
};

/** zod → JSON Schema with the documentation of lib/schemas/core.ts `docs`. */
function jsonSchema(schema: Schema, io: 'input' | 'output'): Json {
  const { $schema: _, ...rest } = z.toJSONSchema(schema, {
    target: 'draft-2020-12',
    io,
    metadata: docs,
    unrepresentable: 'any',
    reused: 'inline',
    cycles: 'throw',
  }) as Json;
  return rest;
}

/** Every schema of `docs` that has an id, as components; requests in their input form. */
function componentSchemas(requestIds: Set<string>): Record<string, Json> {
  const convert = (io: 'input' | 'output') =>
    (z.toJSONSchema(docs, { target: 'draft-2020-12', io, metadata: docs, unrepresentable: 'any', uri: REF }) as { schemas: Record<string, Json> }).schemas;
  const inputs = convert('input');
  const outputs = convert('output');
  const schemas: Record<string, Json> = {};
  for (const id of Object.keys(outputs).sort()) {
    const { $schema: _s, $id: _i, ...schema } = requestIds.has(id) ? inputs[id]! : outputs[id]!;
    schemas[id] = schema;
  }
  return schemas;
}

function idOf(schema: Schema): string | undefined {
  return docs.get(schema)?.id;
}

function bodySchema(schema: Schema, io: 'input' | 'output'): Json {
  const id = idOf(schema);
  return id ? { $ref: REF(id) } : jsonSchema(schema, io);
}

function examples(named: Record<string, Example> | undefined): Json | undefined {
  return named && Object.fromEntries(Object.entries(named).map(([name, e]) => [name, { summary: e.summary, value: e.value }]));
}

function errorSchema(codes: readonly string[]): Json {
  return {
    allOf: [
      { $ref: REF(idOf(ErrorSchema)!) },
      { type: 'object', properties: { error: { type: 'object', properties: { code: { enum: [...codes] } } } } },
    ],
  };
}

function response(contract: ResponseContract): Json {
  const gateway = { $ref: REF(idOf(GatewayMessageSchema)!) };
  let schema: Json | undefined;
  if (contract.body) schema = bodySchema(contract.body, 'output');
  else if (contract.errors) schema = contract.gateway === 'also' ? { anyOf: [errorSchema(contract.errors), gateway] } : errorSchema(contract.errors);
  else if (contract.gateway === 'only') schema = gateway;
  if (!schema) throw new Error(`A response without a body schema: ${contract.description}`);

  const codes = contract.errors?.map((code) => `- \`${code}\`: ${ERROR_CODES[code].when}`) ?? [];
  const headers: Json = {};
  for (const name of ['x-request-id', ...(contract.headers ?? [])] as HeaderName[]) {
    const { component, header } = HEADERS[name];
    headers[name] = component ? { $ref: `#/components/headers/${component}` } : header;
  }
  // API Gateway's own answers carry its request id header, not the service's.
  if (contract.gateway) {
    headers['x-request-id'] = {
      description: 'The id of this request when the service answers; absent when API Gateway answers itself.',
      required: false,
      schema: { type: 'string' },
    };
  }
  const media: Json = { schema };
  const named = examples(contract.examples);
  if (named) media.examples = named;
  return {
    description: [contract.description, ...(codes.length ? ['', ...codes] : [])].join('\n'),
    headers,
    content: { [contract.mediaType ?? 'application/json']: media },
  };
}

function responses(contracts: Record<number, ResponseContract>): Json {
  return Object.fromEntries(
    Object.entries(contracts)
      .sort(([a], [b]) => Number(a) - Number(b))
      .map(([status, contract]) => [status, response(contract)]),
  );
}

/** The fields of an object schema (looking through the pipe of a preprocessing step). */
function fieldsOf(schema: Schema): Record<string, Schema> {
  let current = schema as z.core.$ZodTypes;
  while (current._zod.def.type === 'pipe') current = current._zod.def.out as z.core.$ZodTypes;
  if (current._zod.def.type !== 'object') throw new Error('Parameters must be an object schema');
  return current._zod.def.shape as Record<string, Schema>;
}

function parameters(schema: Schema | undefined, location: 'path' | 'query'): Json[] {
  if (!schema) return [];
  return Object.entries(fieldsOf(schema)).map(([name, field]) => {
    const { description, example, ...fieldSchema } = jsonSchema(field, 'input');
    // zod leaves a documented default out of an input schema; a parameter's default belongs there.
    const documentedDefault = docs.get(field)?.default;
    if (documentedDefault !== undefined) fieldSchema.default = documentedDefault;
    const optional = (field as z.core.$ZodTypes)._zod.optin === 'optional';
    return {
      name,
      in: location,
      required: location === 'path' || !optional,
      ...(description ? { description } : {}),
      schema: fieldSchema,
      ...(example !== undefined ? { example } : {}),
    };
  });
}

function operation(route: Pick<Route, 'auth'>, contract: OperationContract, localOnly: boolean): Json {
  const op: Json = {
    operationId: contract.operationId,
    tags: [contract.tag],
    summary: contract.summary,
    description: contract.description,
    security: route.auth === 'admin' ? [{ adminBearer: [] }] : [],
  };
  if (localOnly) op['x-local-only'] = true;
  const params = [...parameters(contract.request?.path, 'path'), ...parameters(contract.request?.query, 'query')];
  if (params.length) op.parameters = params;
  if (contract.request?.body) {
    const media: Json = { schema: bodySchema(contract.request.body, 'input') };
    const named = examples(contract.request.bodyExamples);
    if (named) media.examples = named;
    op.requestBody = { required: true, content: { 'application/json': media } };
  }
  op.responses = responses(contract.responses);
  return op;
}

/** Fails when a route of lib/routes.ts (ROUTES or LOCAL_ROUTES) has no contract, or a contract no route. */
export function checkCoverage(routes: readonly Pick<Route, 'method' | 'path'>[] = [...ROUTES, ...LOCAL_ROUTES]): void {
  const keys = new Set(routes.map(routeKey));
  const missing = [...keys].filter((key) => !(key in OPERATIONS));
  const unknown = Object.keys(OPERATIONS).filter((key) => !keys.has(key as never));
  if (missing.length || unknown.length) {
    throw new Error(
      [
        ...missing.map((key) => `Route ${key} (lib/routes.ts) has no contract in lib/schemas/registry.ts OPERATIONS.`),
        ...unknown.map((key) => `lib/schemas/registry.ts OPERATIONS has ${key}, which lib/routes.ts does not route (ROUTES or LOCAL_ROUTES).`),
      ].join('\n'),
    );
  }
}

/** Throws when a generated schema has no type at all (a shape zod could not express and no docs override gave). */
function checkTyped(value: unknown, where: string): void {
  if (Array.isArray(value)) value.forEach((v, i) => checkTyped(v, `${where}/${i}`));
  else if (value && typeof value === 'object') {
    for (const [key, v] of Object.entries(value)) {
      if ((key === 'schema' || key === 'items') && v && typeof v === 'object' && Object.keys(v).length === 0) {
        throw new Error(`Untyped schema at ${where}/${key}: give it a type through lib/schemas/core.ts documented()`);
      }
      if (key === 'properties' || key === 'anyOf' || key === 'oneOf' || key === 'allOf') {
        for (const [name, s] of Object.entries(v as object)) {
          if (s && typeof s === 'object' && Object.keys(s).length === 0) throw new Error(`Untyped schema at ${where}/${key}/${name}`);
        }
      }
      checkTyped(v, `${where}/${key}`);
    }
  }
}

const INFO_DESCRIPTION = `FluxKart.com recognises a returning customer even when they check out with a different email or phone number each time. \`POST /identify\` links every contact that shares an email or a phone number into one identity (the oldest contact is the primary, the rest are secondaries) and answers with the consolidated identity. \`POST /checkout\` places a storefront order, reconciling the shopper the same way. The admin routes let support staff read, look up, merge and erase identities.

**Errors.** Every error the service answers is JSON, \`{"error": {"code", "message", "requestId"}}\`, with a stable \`code\` (each response lists the codes it may carry) and a message that never carries stack traces, table names or SDK text. A rejected request writes nothing. Where API Gateway answers itself (throttling, its JWT authorizer, bodies over 10 MB) its body is \`{"message": "…"}\`.

**Unknown routes.** A path the API does not have answers \`404 route_not_found\`; a known path with another method answers \`405 method_not_allowed\` with an \`Allow\` header (\`x-default-route\` in this document).

**Local only.** Operations marked \`x-local-only\` are served by \`npm start\` only, not by the deployed API.

**Limits.** Request bodies up to 8 KB (413 above). The request id of every response is in the \`x-request-id\` header.`;

function packageVersion(): string {
  return (JSON.parse(readFileSync(resolve(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
}

/** The whole document, deterministic: the same code always gives the same JSON. */
export function buildOpenApiDocument(): Json {
  checkCoverage();
  const paths: Record<string, Json> = {};
  for (const [routes, localOnly] of [[ROUTES, false], [LOCAL_ROUTES, true]] as const) {
    for (const route of routes) {
      const contract = OPERATIONS[routeKey(route)]!;
      (paths[route.path] ??= {})[route.method.toLowerCase()] = operation(route, contract, localOnly);
    }
  }
  const requestIds = new Set(
    Object.values(OPERATIONS)
      .map((contract) => contract.request?.body && idOf(contract.request.body))
      .filter((id): id is string => id !== undefined),
  );
  const document: Json = {
    openapi: '3.1.0',
    info: {
      title: 'FluxKart identity service',
      version: packageVersion(),
      description: INFO_DESCRIPTION,
      license: { name: 'Proprietary', identifier: 'LicenseRef-FluxKart-Proprietary' },
    },
    servers: [
      {
        url: 'https://{apiId}.execute-api.{region}.amazonaws.com',
        description: 'The deployed HTTP API (the stack output `ApiUrl`)',
        variables: {
          apiId: { default: 'abc123defg', description: 'The HTTP API id' },
          region: { default: 'us-east-1', description: 'The AWS region of the stack' },
        },
      },
      { url: 'http://127.0.0.1:3000', description: '`npm start` on this machine (the port is `PORT`)' },
    ],
    tags: [
      { name: 'Identity', description: 'Customer identity reconciliation, for the checkout.' },
      { name: 'Checkout', description: 'The storefront’s orders.' },
      { name: 'Health', description: 'Liveness.' },
      { name: 'Admin', description: 'Support staff only: a Cognito JWT of a user in the `admins` group (locally `ADMIN_TOKEN`).' },
    ],
    paths,
    components: {
      schemas: componentSchemas(requestIds),
      headers: Object.fromEntries(
        Object.values(HEADERS).flatMap(({ component, header }) => (component ? [[component, header]] : [])),
      ),
      securitySchemes: {
        adminBearer: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description:
            'A Cognito access token of a user in the `admins` group (checked by the HTTP API’s JWT authorizer and again by the function). Locally, `npm start` accepts `ADMIN_TOKEN` instead.',
        },
      },
    },
    'x-default-route': {
      description: 'What a request that matches no operation gets (the API’s `$default` route).',
      responses: responses(DEFAULT_ROUTE_RESPONSES),
    },
  };
  checkTyped(document, '#');
  return document;
}

/** The document as openapi.json holds it. */
export function renderOpenApiDocument(): string {
  return `${JSON.stringify(buildOpenApiDocument(), null, 2)}\n`;
}
