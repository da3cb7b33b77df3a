/**
 * Strict decoding of a request body as UTF-8 (SPEC.md "Request": bytes that are not valid UTF-8
 * are refused, never replaced; a declared charset other than UTF-8 is refused). A middy
 * middleware that runs after the body limit and before JSON parsing, on the routes that take a
 * body. It does not parse JSON and knows nothing about the fields.
 *
 * - `Content-Type: ...; charset=X` with X other than utf-8 (or its alias utf8): 415.
 * - A base64 body (`isBase64Encoded`, as API Gateway and the local server send bytes that are not
 *   text) is decoded with a fatal UTF-8 decoder: invalid bytes, overlongs, CESU-8 surrogates: 400.
 * - A body already given as text must be well-formed (no lone surrogates) and must not contain
 *   U+FFFD, the character a lossy decoder upstream leaves where invalid bytes were: 400. (No email
 *   or phone number contains U+FFFD; a caller who means it can send the `\ufffd` JSON escape.)
 * The event then carries the decoded text with `isBase64Encoded: false`.
 */
import { AppError, ValidationError } from '../errors';

export class UnsupportedCharsetError extends AppError {
  constructor() {
    super(415, 'unsupported_media_type', 'Send the body as JSON encoded in UTF-8 (Content-Type: application/json; charset=utf-8).');
  }
}

export class InvalidEncodingError extends ValidationError {
  constructor() {
    super('invalid_encoding', 'The request body is not valid UTF-8.');
  }
}

interface BodyEvent {
  body?: unknown;
  isBase64Encoded?: boolean;
  headers?: Record<string, string | undefined>;
}

/** The charset parameter of a Content-Type header, lower-cased and unquoted, or null. */
export function declaredCharset(contentType: string | undefined): string | null {
  if (!contentType) return null;
  for (const param of contentType.split(';').slice(1)) {
    const eq = param.indexOf('=');
    if (eq < 0) continue;
    if (param.slice(0, eq).trim().toLowerCase() !== 'charset') continue;
    return param.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1').toLowerCase();
  }
  return null;
}

const UTF8_NAMES = new Set(['utf-8', 'utf8']);
const LONE_SURROGATE = /\p{Cs}/u;

/** Decodes bytes as UTF-8, throwing InvalidEncodingError on any invalid sequence. A BOM is kept (JSON.parse refuses it). */
export function strictUtf8(bytes: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    throw new InvalidEncodingError();
  }
}

export function decodeBody() {
  return {
    before: (request: { event: BodyEvent }) => {
      const { event } = request;
      const charset = declaredCharset(event.headers?.['content-type']);
      if (charset !== null && !UTF8_NAMES.has(charset)) throw new UnsupportedCharsetError();
      if (typeof event.body !== 'string') return;
      if (event.isBase64Encoded) {
        event.body = strictUtf8(Buffer.from(event.body, 'base64'));
        event.isBase64Encoded = false;
      } else if (LONE_SURROGATE.test(event.body) || event.body.includes('\uFFFD')) {
        throw new InvalidEncodingError();
      }
    },
  };
}
