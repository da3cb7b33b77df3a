/**
 * What the local server answers when Node's HTTP parser refuses a request before any handler
 * runs (a bad or duplicated Content-Length, Content-Length with Transfer-Encoding, a NUL in the
 * path, headers too large, a request that was not complete in time): SPEC's JSON error body
 * instead of Node's empty `400 Bad Request`, then the connection is closed. Also the request
 * timeouts that make a body shorter than its declared length end within the request budget.
 */
import type { Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { localLog as defaultLog, type LocalLog } from './log';

const STATUS_TEXT: Record<number, string> = { 400: 'Bad Request', 408: 'Request Timeout', 431: 'Request Header Fields Too Large' };

/** Status and stable code for a parser error (Node's `HPE_*` codes and its request timeout). */
export function clientErrorAnswer(code: string | undefined): { status: number; code: string; message: string } {
  if (code === 'HPE_HEADER_OVERFLOW') {
    return { status: 431, code: 'headers_too_large', message: 'The request headers are too large.' };
  }
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT' || code === 'HPE_HEADERS_TIMEOUT') {
    return { status: 408, code: 'request_timeout', message: 'The request was not received completely in time.' };
  }
  return { status: 400, code: 'malformed_request', message: 'The request is not valid HTTP/1.1.' };
}

/** A complete raw HTTP/1.1 response with SPEC's error body; the connection closes after it. */
export function rawErrorResponse(status: number, code: string, message: string): string {
  const body = JSON.stringify({ error: { code, message } });
  return [
    `HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? 'Error'}`,
    'content-type: application/json; charset=utf-8',
    'cache-control: no-store',
    'x-content-type-options: nosniff',
    `content-length: ${Buffer.byteLength(body)}`,
    'connection: close',
    '',
    body,
  ].join('\r\n');
}

export interface RequestTimeouts {
  /** The request budget: headers and body must have arrived within it. */
  timeoutMs: number;
}

/** Installs the JSON clientError answer and request/headers timeouts of the order of the budget. */
export function answerClientErrors(server: Server, { timeoutMs }: RequestTimeouts, log: LocalLog = defaultLog): void {
  server.requestTimeout = timeoutMs;
  server.headersTimeout = timeoutMs;
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    const inProgress = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage?.headersSent;
    if (error.code === 'ECONNRESET' || error.code === 'EPIPE' || !socket.writable || inProgress) {
      log('info', 'client connection closed', { code: error.code });
      socket.destroy();
      return;
    }
    const answer = clientErrorAnswer(error.code);
    log('warn', 'malformed HTTP request refused', { status: answer.status, code: answer.code, parserCode: error.code });
    socket.end(rawErrorResponse(answer.status, answer.code, answer.message));
  });
}
