/** Response bodies of the admin routes (the adapters in functions/admin-*). */
import { encodeCursor, type CursorKind } from '../admin-params';
import type { IdentityDetails } from '../admin-service';
import type { Page } from '../store';
import { identityBody } from './response';
import { principalOf } from '../auth';
import type { Context } from 'aws-lambda';
import { requestIdOf } from './request-id';

/** {"contact": {…the fields of /identify's contact…, "contacts": [rows]}} */
export function identityDetailsResponse({ view, contacts }: IdentityDetails) {
  return identityBody(view, { contacts });
}

/** The cursor of the page after `page`, or null when it was the last. */
export function nextCursor<T>(kind: CursorKind, page: Page<T>): string | null {
  return page.hasMore && page.resumeAfter !== null ? encodeCursor(kind, page.resumeAfter) : null;
}

/**
 * Who performs an audited admin action. The `adminOnly` middleware (lib/http/handler.ts) has
 * already checked that the caller is an admin; this only reads the identity for the audit log.
 * The audit entry's requestId is the request's id (x-request-id, the log lines' requestId).
 */
export function actorOf(event: { requestContext?: object }, context: Context) {
  return { sub: principalOf(event).sub, requestId: requestIdOf(event as { requestContext?: { requestId?: unknown } }, context) };
}
