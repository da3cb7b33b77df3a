/**
 * `GET /admin/events` on the local server: the change events as a live server-sent-events feed
 * for admins (the console's activity feed). Authorised exactly like the other admin routes: the
 * local JWT-authorizer stand-in (lib/local/auth.ts) then the admins-group check (lib/auth.ts):
 * 401 without a valid token, 403 for a non-admin. Local only: API Gateway HTTP APIs cannot stream,
 * so in AWS consumers subscribe to the EventBridge bus with rules.
 *
 * Each event is one SSE message: `id:` the eventId, `event:` the type, `data:` the envelope
 * (lib/local/event-sink.ts). A client reconnecting with Last-Event-ID gets the events it missed
 * (from the last 500). A comment line every 15 s keeps proxies from closing the connection.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { authorizeAdmin } from '../auth';
import { ForbiddenError } from '../errors';
import { errorBody } from '../http/response';
import { localClaims, type LocalAuthOptions } from './auth';
import type { LocalEventSink } from './event-sink';

export const EVENT_FEED_PATH = '/admin/events';
const HEARTBEAT_MS = 15_000;

export function isEventFeedRequest(req: IncomingMessage): boolean {
  return new URL(req.url ?? '/', 'http://localhost').pathname === EVENT_FEED_PATH;
}

function sendError(res: ServerResponse, requestId: string, status: number, code: string, message: string, headers: Record<string, string> = {}) {
  const error = errorBody(code, message).error;
  const body = JSON.stringify({ error: { ...error, requestId } });
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'x-request-id': requestId, ...headers });
  res.end(body);
}

/** `requestId`: the request's id, in the `x-request-id` header and the error body as on every API answer. */
export async function serveEventFeed(
  req: IncomingMessage,
  res: ServerResponse,
  auth: LocalAuthOptions,
  sink: LocalEventSink,
  requestId: string = randomUUID(),
): Promise<void> {
  if ((req.method ?? 'GET').toUpperCase() !== 'GET') {
    sendError(res, requestId, 405, 'method_not_allowed', `Method ${req.method} is not allowed on ${EVENT_FEED_PATH}.`, { allow: 'GET' });
    return;
  }
  const claims = await localClaims(req.headers.authorization, auth);
  if (!claims) {
    sendError(res, requestId, 401, 'unauthorized', 'Authentication is required.', { 'www-authenticate': 'Bearer' });
    return;
  }
  try {
    authorizeAdmin({ requestContext: { authorizer: { jwt: { claims } } } });
  } catch (error) {
    if (!(error instanceof ForbiddenError)) throw error;
    sendError(res, requestId, 403, 'forbidden', error.message);
    return;
  }
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-store',
    connection: 'keep-alive',
    'x-content-type-options': 'nosniff',
    'x-request-id': requestId,
  });
  res.write('retry: 2000\n\n');
  const lastEventId = req.headers['last-event-id'];
  const unsubscribe = sink.subscribe(
    (event) => res.write(`id: ${event.id}\nevent: ${event['detail-type']}\ndata: ${JSON.stringify(event)}\n\n`),
    typeof lastEventId === 'string' ? lastEventId : undefined,
  );
  const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), HEARTBEAT_MS);
  heartbeat.unref();
  const close = () => {
    clearInterval(heartbeat);
    unsubscribe();
  };
  req.on('close', close);
  res.on('close', close);
}
