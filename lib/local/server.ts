/**
 * The local HTTP server behind `npm start` and the end-to-end tests: it turns each HTTP request
 * into an API Gateway HTTP API (payload 2.0) event, routes it with the same route table as the
 * stack (lib/routes.ts), and calls the same handler module the Lambda runs, each invocation in its
 * own Lambda InvokeStore context (lib/local/invocations.ts). It routes the raw path
 * (lib/local/raw-path.ts), answers malformed HTTP with SPEC's JSON body (lib/local/http-errors.ts),
 * passes bodies that are not valid UTF-8 as base64, and answers storage routes 503 at once while
 * storage is known to be down (lib/local/supervisor.ts). Shutdown: lib/local/shutdown.ts. Like API
 * Gateway, it sends the request id back as `apigw-requestid` on every answer; its own answers
 * (401, 413, 503, a crash) also carry it as `x-request-id` and in the error body, as the handlers' do.
 */
import { isUtf8 } from 'node:buffer';
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { onDynamoClientCreated } from '../container';
import { addFaultInjection, faultsFromEnv } from '../faults';
import { errorBody } from '../http/response';
import { FUNCTIONS, matchRoute, type FunctionName } from '../routes';
import { serveApiDocs } from './api-docs';
import { localClaims, type LocalAuthOptions } from './auth';
import { isEventFeedRequest, serveEventFeed } from './event-feed';
import type { LocalEventSink } from './event-sink';
import { answerClientErrors } from './http-errors';
import { prepareLocalInvocations, runInvocation } from './invocations';
import { errorFields, localLog } from './log';
import { rawTarget } from './raw-path';
import type { StaticSite } from './static';

/** API Gateway refuses payloads above 10 MB before any function runs; so does this server. */
export const PLATFORM_MAX_BODY_BYTES = 10 * 1024 * 1024;
const ROOT = resolve(import.meta.dirname, '../..');

type LambdaHandler = (event: APIGatewayProxyEventV2, context: Context) => Promise<{
  statusCode?: number;
  headers?: Record<string, string | number | boolean>;
  body?: string;
  isBase64Encoded?: boolean;
  cookies?: string[];
}>;

const loaded = new Map<FunctionName, Promise<LambdaHandler>>();

function loadHandler(name: FunctionName): Promise<LambdaHandler> {
  let handler = loaded.get(name);
  if (!handler) {
    const url = pathToFileURL(resolve(ROOT, FUNCTIONS[name].entry)).href;
    handler = import(url).then((module: { handler: LambdaHandler }) => module.handler);
    loaded.set(name, handler);
  }
  return handler;
}

export interface LocalServerOptions {
  /** Time budget a request gets, as a Lambda timeout would give it. */
  timeoutMs?: number;
  /**
   * Bearer tokens that the emulated JWT authorizer of the admin routes accepts.
   * Default: ADMIN_TOKEN and LOCAL_USER_TOKEN from the environment, read once here.
   */
  auth?: LocalAuthOptions;
  /** Change events: serves them on GET /admin/events (SSE, admins only; lib/local/event-feed.ts). */
  events?: LocalEventSink;
  /** The pages (lib/local/static.ts), served where no API route matches. Absent: API only. */
  site?: StaticSite;
  /**
   * False while storage is known to be down (the embedded DynamoDB Local died and is being
   * restarted, lib/local/supervisor.ts): routes whose function uses tables answer 503 at once.
   */
  storageAvailable?: () => boolean;
}

let faultsAttached = false;

/**
 * FAULT_INJECTION (the stress command's --faults): faults on the functions' DynamoDB client, from
 * its creation on. Only here: the functions never import lib/faults.ts.
 */
function injectConfiguredFaults(): void {
  const faults = faultsFromEnv();
  if (!faults || faultsAttached) return;
  faultsAttached = true;
  onDynamoClientCreated((db) => addFaultInjection(db, faults));
}

export function createLocalServer(options: LocalServerOptions = {}): Server {
  const timeoutMs = options.timeoutMs ?? 10_000;
  injectConfiguredFaults();
  const auth = options.auth ?? { adminToken: process.env.ADMIN_TOKEN, userToken: process.env.LOCAL_USER_TOKEN };
  const storageAvailable = options.storageAvailable ?? (() => true);
  prepareLocalInvocations();
  // Checks request timeouts every second (Node's default: every 30 s).
  const server = createServer({ connectionsCheckingInterval: 1_000 }, (req, res) => {
    const requestId = randomUUID();
    if (options.events && isEventFeedRequest(req)) {
      serveEventFeed(req, res, auth, options.events, requestId).catch(() => res.destroy());
      return;
    }
    handle(req, res, timeoutMs, auth, storageAvailable, requestId, options.site).catch((error: unknown) => {
      localLog('error', 'local server error', errorFields(error));
      if (!res.headersSent) send(res, 500, gatewayHeaders(requestId), JSON.stringify(gatewayError(requestId, 'internal_error', 'Internal server error.')));
      else res.destroy();
    });
  });
  // Malformed HTTP answers SPEC's JSON error body; request/headers timeouts of the request budget.
  answerClientErrors(server, { timeoutMs });
  return server;
}

async function handle(
  req: IncomingMessage,
  res: ServerResponse,
  timeoutMs: number,
  auth: LocalAuthOptions,
  storageAvailable: () => boolean,
  requestId: string,
  site?: StaticSite,
): Promise<void> {
  res.setHeader('apigw-requestid', requestId);
  const body = await readBody(req);
  if (body === CLIENT_GONE) {
    localLog('info', 'client disconnected before sending the whole request body', {
      method: req.method,
      declaredBytes: Number(req.headers['content-length'] ?? 0) || undefined,
    });
    res.destroy();
    return;
  }
  if (body === null) {
    // Drain nothing more: answer and close, as API Gateway does for an oversized payload.
    res.setHeader('connection', 'close');
    send(res, 413, gatewayHeaders(requestId), JSON.stringify(gatewayError(requestId, 'payload_too_large', `The request body must not exceed ${PLATFORM_MAX_BODY_BYTES} bytes.`)));
    return;
  }
  // Routed on the raw path, as API Gateway routes it: no folding of `..`, `%2e%2e` or `//`.
  const target = rawTarget(req.url);
  const method = (req.method ?? 'GET').toUpperCase();
  if (serveApiDocs(method, target.rawPath, res)) return; // /openapi.json and /docs (lib/local/api-docs.ts)
  const match = matchRoute(method, target.rawPath);
  // Static site (lib/local/static.ts): only where no API route matched, so API errors stay JSON.
  if (!match && site && (await site.serve(req, res, target.rawPath))) return;
  const functionName: FunctionName = match?.route.function ?? 'notFound';
  if (!storageAvailable() && Object.keys(FUNCTIONS[functionName].tables).length > 0) {
    send(
      res,
      503,
      { ...gatewayHeaders(requestId), 'retry-after': '1', 'cache-control': 'no-store' },
      JSON.stringify(gatewayError(requestId, 'storage_unavailable', 'Storage is restarting; retry shortly.')),
    );
    return;
  }
  const event = toEvent(req, target, body, match ? `${method} ${match.route.path}` : '$default', match?.pathParameters, requestId);
  if (match?.route.auth === 'admin') {
    // What the API's JWT authorizer does: no valid token, no function call (401); a valid one puts
    // its claims into the event for the handler to check the group.
    const claims = await localClaims(req.headers.authorization, auth);
    if (!claims) {
      send(
        res,
        401,
        { ...gatewayHeaders(requestId), 'www-authenticate': 'Bearer' },
        JSON.stringify(gatewayError(requestId, 'unauthorized', 'Authentication is required.')),
      );
      return;
    }
    (event.requestContext as { authorizer?: unknown }).authorizer = {
      jwt: { claims, scopes: null },
      principalId: '',
      integrationLatency: 0,
    };
  }
  const handler = await loadHandler(functionName);
  // Lambda's own request id differs from API Gateway's, as in AWS.
  const awsRequestId = randomUUID();
  const result = await runInvocation(awsRequestId, () => handler(event, lambdaContext(functionName, awsRequestId, timeoutMs)));
  const headers: Record<string, string> = {};
  for (const [key, value] of Object.entries(result.headers ?? {})) headers[key.toLowerCase()] = String(value);
  if (result.cookies?.length) res.setHeader('set-cookie', result.cookies);
  const payload = result.isBase64Encoded ? Buffer.from(result.body ?? '', 'base64') : (result.body ?? '');
  send(res, result.statusCode ?? 200, headers, payload);
}

/** Headers and body of an answer the local "API Gateway" gives itself (no function ran). */
function gatewayHeaders(requestId: string): Record<string, string> {
  return { 'content-type': 'application/json', 'x-request-id': requestId };
}

function gatewayError(requestId: string, code: string, message: string) {
  const body = errorBody(code, message);
  return { error: { ...body.error, requestId } };
}

function send(res: ServerResponse, status: number, headers: Record<string, string>, body: string | Buffer): void {
  res.writeHead(status, { ...headers, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

/** readBody's answer when the client went away before the body was complete. */
const CLIENT_GONE = Symbol('client gone');

/** Reads the body, or returns null as soon as it passes the platform's limit. */
function readBody(req: IncomingMessage): Promise<Buffer | null | typeof CLIENT_GONE> {
  return new Promise((resolveBody) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > PLATFORM_MAX_BODY_BYTES) {
      req.resume();
      resolveBody(null);
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > PLATFORM_MAX_BODY_BYTES) {
        req.removeAllListeners('data');
        req.resume();
        resolveBody(null);
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolveBody(Buffer.concat(chunks)));
    // A client that disconnects mid-body (ECONNRESET, "aborted"): nothing to answer.
    req.on('error', () => resolveBody(CLIENT_GONE));
  });
}

const TEXT_TYPES = /^(application\/([a-z0-9.+-]+\+)?json|text\/|application\/x-www-form-urlencoded)/i;

export function toEvent(
  req: IncomingMessage,
  target: { rawPath: string; rawQueryString: string },
  body: Buffer,
  routeKey: string,
  pathParameters?: Record<string, string>,
  requestId: string = randomUUID(),
): APIGatewayProxyEventV2 {
  const headers: Record<string, string> = {};
  for (const [key, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[key] = Array.isArray(value) ? value.join(',') : value;
  }
  const query: Record<string, string> = {};
  for (const [key, value] of new URLSearchParams(target.rawQueryString)) query[key] = key in query ? `${query[key]},${value}` : value;
  const now = new Date();
  // Bytes that are not valid UTF-8 are passed as base64, never decoded lossily: the handler's
  // strict decoder (lib/http/decode-body.ts) refuses them.
  const isText = body.length === 0 || (TEXT_TYPES.test(headers['content-type'] ?? 'application/json') && isUtf8(body));
  return {
    version: '2.0',
    routeKey,
    rawPath: target.rawPath,
    rawQueryString: target.rawQueryString,
    headers,
    queryStringParameters: Object.keys(query).length ? query : undefined,
    pathParameters: pathParameters && Object.keys(pathParameters).length ? pathParameters : undefined,
    requestContext: {
      accountId: 'local',
      apiId: 'local',
      domainName: headers.host ?? 'localhost',
      domainPrefix: 'localhost',
      http: {
        method: (req.method ?? 'GET').toUpperCase(),
        path: target.rawPath,
        protocol: `HTTP/${req.httpVersion}`,
        sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId,
      routeKey,
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
    body: body.length ? (isText ? body.toString('utf8') : body.toString('base64')) : undefined,
    isBase64Encoded: body.length > 0 && !isText,
  };
}

function lambdaContext(functionName: string, requestId: string, timeoutMs: number): Context {
  const deadline = Date.now() + timeoutMs;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${functionName}`,
    memoryLimitInMB: '1024',
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
