/**
 * The middleware stack every HTTP function shares, so handlers stay a few lines long:
 * Powertools' Lambda context for the logs and its metrics flush, the request id (header, log key,
 * error bodies), header normalisation, the body size limit, JSON body parsing (where the route
 * takes a body), security headers, one error mapper, and one structured log line per request.
 *
 * No `before` middleware may return a response (middy then skips every `after`, so the answer
 * would lose its x-request-id and the metrics their flush): refuse a request by throwing.
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import httpJsonBodyParser from '@middy/http-json-body-parser';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { authorizeAdmin } from '../auth';
import { httpSettings } from '../config';
import { UnavailableError } from '../errors';
import { getLogger } from '../powertools/logger';
import { getMetrics } from '../powertools/metrics';
import { deadlineIn, type Deadline } from '../retry';
import { bodyLimit } from './body-limit';
import { decodeBody } from './decode-body';
import { errorHandler } from './errors';
import { headerNames } from './header-names';
import { requestIdMiddleware } from './request-id';
import { securityHeaders } from './security-headers';
import type { HttpResult } from './response';

export type HttpEvent = Omit<APIGatewayProxyEventV2, 'body'> & { body?: unknown };
export type HttpFunction = (event: HttpEvent, context: Context) => Promise<HttpResult>;

/** Time kept back from the Lambda's remaining time: retries stop this long before the end. */
const ANSWER_RESERVE_MS = 500;
/**
 * If an attempt is still waiting on DynamoDB this long before the Lambda's end (a hung
 * connection), middy stops waiting and the request answers 503 instead of timing out.
 */
const TIMEOUT_EARLY_MS = 250;

export function deadlineOf(context: Context, fallbackMs = 10_000): Deadline {
  return typeof context.getRemainingTimeInMillis === 'function'
    ? { remainingMs: () => context.getRemainingTimeInMillis() - ANSWER_RESERVE_MS }
    : deadlineIn(fallbackMs);
}

function outOfTime(): never {
  throw new UnavailableError('storage_unavailable', 'Storage did not answer in time; retry shortly.');
}

export function httpHandler(fn: HttpFunction, options: { jsonBody?: boolean; adminOnly?: boolean } = {}) {
  const { maxBodyBytes } = httpSettings();
  const handler = middy<APIGatewayProxyEventV2, HttpResult>({
    timeoutEarlyInMillis: TIMEOUT_EARLY_MS,
    timeoutEarlyResponse: outOfTime,
  })
    // Lambda context on every log line; the invocation's keys (requestId) reset after it. The event
    // is never logged (logEvent: false overrides POWERTOOLS_LOGGER_LOG_EVENT): bodies carry emails.
    .use(injectLambdaContext(getLogger(), { resetKeys: true, logEvent: false }))
    .use(requestIdMiddleware())
    // EMF metrics of the request, flushed when it ends (errors too), plus Powertools' ColdStart.
    .use(logMetrics(getMetrics(), { captureColdStartMetric: true }))
    // A body sent without any Content-Type is read as JSON (an explicit other type gets 415).
    .use(headerNames({ 'content-type': 'application/json' }))
    .use(requestLog());
  // Admin routes: 401/403 before the body is even looked at (the JWT authorizer already refused
  // anonymous callers in AWS; this is the check "again in the handler", lib/auth.ts).
  if (options.adminOnly) handler.use({ before: (request: { event: APIGatewayProxyEventV2 }) => void authorizeAdmin(request.event) });
  handler.use(bodyLimit(maxBodyBytes));
  // Strict UTF-8 and charset check before JSON parsing (lib/http/decode-body.ts).
  if (options.jsonBody) handler.use(decodeBody()).use(httpJsonBodyParser());
  return handler
    .use(securityHeaders())
    .use(errorHandler(getLogger))
    .handler(fn as unknown as (event: APIGatewayProxyEventV2, context: Context) => Promise<HttpResult>);
}

/** One log line per request: route, status, duration (and requestId, as every line); never the body. */
function requestLog() {
  const started = new WeakMap<object, number>();
  const done = (request: { event: APIGatewayProxyEventV2; context: Context; response?: HttpResult }) => {
    getLogger().info('request', {
      route: request.event.routeKey,
      status: request.response?.statusCode,
      durationMs: Date.now() - (started.get(request) ?? Date.now()),
    });
  };
  return {
    before: (request: object) => {
      started.set(request, Date.now());
    },
    after: done,
    onError: done,
  };
}
