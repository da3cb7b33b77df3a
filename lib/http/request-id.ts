/**
 * One request id end to end. The id is API Gateway's own request id
 * (`event.requestContext.requestId`): API Gateway writes it to its access log and sends it back
 * as `apigw-requestid` on every answer, its own 401/413/429 included, so one id joins the
 * gateway, the function's log lines, its EMF metrics, the audit log and the caller. Without one
 * (a direct invocation) the Lambda request id stands in; Powertools adds the latter to every line
 * as `function_request_id` anyway.
 *
 * A caller's own `x-request-id` header is ignored: an id a caller chooses is neither unique nor
 * trustworthy (anyone could make their lines look like someone else's request), and logging it
 * would be one more way to write text the caller controls.
 *
 * This middleware appends `requestId` to the logger for the invocation (reset afterwards by
 * injectLambdaContext's resetKeys), tags the invocation's metrics with it, and on the way out sets
 * the `x-request-id` header on every response and adds `requestId` to every error body
 * (`{"error":{"code","message","requestId"}}`), whichever middleware or handler built it.
 */
import { randomUUID } from 'node:crypto';
import { REQUEST_ID_HEADER, REQUEST_ID_KEY } from '../powertools/constants';
import { getLogger } from '../powertools/logger';
import { tagMetricsWithRequest } from '../powertools/metrics';

interface EventWithRequestContext {
  requestContext?: { requestId?: unknown };
}

/** The request id of an invocation: API Gateway's, else the Lambda request id. */
export function requestIdOf(event: EventWithRequestContext | undefined, context?: { awsRequestId?: string }): string {
  const fromGateway = event?.requestContext?.requestId;
  if (typeof fromGateway === 'string' && fromGateway !== '') return fromGateway;
  return context?.awsRequestId || randomUUID();
}

interface Request {
  event: EventWithRequestContext;
  context: { awsRequestId?: string };
  response?: unknown;
  internal: Record<string | symbol, unknown>;
}

const KEY = Symbol('requestId');

function idOf(request: Request): string {
  const known = request.internal[KEY];
  if (typeof known === 'string') return known;
  const id = requestIdOf(request.event, request.context);
  request.internal[KEY] = id;
  return id;
}

/** Adds the header, and `requestId` to an `{"error":{…}}` body that lacks it. */
export function stampResponse(response: unknown, requestId: string): void {
  if (!response || typeof response !== 'object') return;
  const res = response as { statusCode?: number; headers?: Record<string, unknown>; body?: unknown; isBase64Encoded?: boolean };
  res.headers = { ...res.headers, [REQUEST_ID_HEADER]: requestId };
  if ((res.statusCode ?? 200) < 400 || typeof res.body !== 'string' || res.isBase64Encoded) return;
  let parsed: unknown;
  try {
    parsed = JSON.parse(res.body);
  } catch {
    return;
  }
  const error = (parsed as { error?: unknown } | null)?.error;
  if (error && typeof error === 'object' && !Array.isArray(error) && !(REQUEST_ID_KEY in error)) {
    (error as Record<string, unknown>)[REQUEST_ID_KEY] = requestId;
    res.body = JSON.stringify(parsed);
  }
}

export function requestIdMiddleware() {
  const stamp = (request: Request) => stampResponse(request.response, idOf(request));
  return {
    before: (request: Request) => {
      const id = idOf(request);
      getLogger().appendKeys({ [REQUEST_ID_KEY]: id });
      tagMetricsWithRequest(id);
    },
    after: stamp,
    onError: stamp,
  };
}
