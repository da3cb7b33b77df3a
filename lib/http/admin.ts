/** Response bodies of the admin routes (the adapters in functions/admin-*). */
import { encodeCursor, type CursorKind } from '../admin-params';
import type { IdentityDetails } from '../admin-service';
import type { Page } from '../store';
import { identityBody } from './response';

/** {"contact": {…the fields of /identify's contact…, "contacts": [rows]}} */
export function identityDetailsResponse({ view, contacts }: IdentityDetails) {
  return identityBody(view, { contacts });
}

/** The cursor of the page after `page`, or null when it was the last. */
export function nextCursor<T>(kind: CursorKind, page: Page<T>): string | null {
  return page.hasMore && page.resumeAfter !== null ? encodeCursor(kind, page.resumeAfter) : null;
}
