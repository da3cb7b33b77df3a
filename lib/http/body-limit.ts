/**
 * Rejects a request body larger than the documented limit with 413, before anything parses it.
 * API Gateway itself refuses payloads above its own limit (10 MB); this limit is far smaller.
 */
import { AppError } from '../errors';

export class PayloadTooLargeError extends AppError {
  constructor(limit: number) {
    super(413, 'payload_too_large', `The request body must not exceed ${limit} bytes.`);
  }
}

interface HttpEvent {
  body?: string | null;
  isBase64Encoded?: boolean;
  headers?: Record<string, string | undefined>;
}

export function bodyByteLength(event: HttpEvent): number {
  if (!event.body) return 0;
  if (event.isBase64Encoded) {
    const padding = event.body.endsWith('==') ? 2 : event.body.endsWith('=') ? 1 : 0;
    return Math.floor((event.body.length * 3) / 4) - padding;
  }
  return Buffer.byteLength(event.body, 'utf8');
}

export function bodyLimit(maxBytes: number) {
  return {
    before: (request: { event: HttpEvent }) => {
      const declared = Number(request.event.headers?.['content-length'] ?? 0);
      if (declared > maxBytes || bodyByteLength(request.event) > maxBytes) {
        throw new PayloadTooLargeError(maxBytes);
      }
    },
  };
}
