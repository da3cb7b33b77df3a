/**
 * Synthetic API Gateway HTTP API (payload 2.0) events and Lambda contexts, for calling the real
 * handlers directly, as the Lambda runtime would.
 */
import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';

export interface EventOptions {
  method?: string;
  path?: string;
  /** Route key as API Gateway would set it; `$default` for the catch-all. */
  routeKey?: string;
  headers?: Record<string, string>;
  /** A string is sent as is; anything else is JSON-encoded. */
  body?: unknown;
  isBase64Encoded?: boolean;
}

export function apiEvent(options: EventOptions = {}): APIGatewayProxyEventV2 {
  const method = options.method ?? 'POST';
  const path = options.path ?? '/identify';
  const routeKey = options.routeKey ?? `${method} ${path}`;
  const body =
    options.body === undefined ? undefined : typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
  const headers = {
    ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    ...options.headers,
  };
  const now = new Date();
  return {
    version: '2.0',
    routeKey,
    rawPath: path,
    rawQueryString: '',
    headers,
    requestContext: {
      accountId: '123456789012',
      apiId: 'test',
      domainName: 'test.example.com',
      domainPrefix: 'test',
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'vitest' },
      requestId: randomUUID(),
      routeKey,
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
    body,
    isBase64Encoded: options.isBase64Encoded ?? false,
  };
}

/** A Lambda context whose remaining time counts down from `timeoutMs`. */
export function lambdaContext(timeoutMs = 10_000): Context {
  const deadline = Date.now() + timeoutMs;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: 'test',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:test',
    memoryLimitInMB: '1024',
    awsRequestId: randomUUID(),
    logGroupName: '/aws/lambda/test',
    logStreamName: 'test',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

export interface HandlerResult {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

type AnyHandler = (event: APIGatewayProxyEventV2, context: Context) => Promise<unknown>;

/** Calls a handler and returns its result with lower-cased header names and the parsed body. */
export async function invoke(
  handler: unknown,
  event: APIGatewayProxyEventV2,
  context: Context = lambdaContext(),
): Promise<HandlerResult & { json: any }> {
  const result = (await (handler as AnyHandler)(event, context)) as {
    statusCode: number;
    headers?: Record<string, string | number | boolean>;
    body?: string;
  };
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(result.headers ?? {})) headers[k.toLowerCase()] = String(v);
  const body = result.body ?? '';
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    json = undefined;
  }
  return { statusCode: result.statusCode, headers, body, json };
}
