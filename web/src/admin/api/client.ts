/**
 * The console's calls to the admin API: fetch with the signed-in user's bearer token, JSON in and
 * out, the SPEC error body turned into an ApiError. A 401 (expired or revoked session) signs in
 * again and comes back to the same console page; a 403 is ForbiddenError (the "not an
 * administrator" page). Emails and phone numbers only ever travel in request bodies
 * (POST /identities/lookup), never in a URL. Response types come from the service's own model.
 */
import type { CustomerOrder } from '../../../../lib/checkout/orders';
import type { AuditEntry, Contact } from '../../../../lib/model';
import { currentUser, signIn } from '../../auth/oidc';
import { ApiError } from '../../shared/api';

export interface IdentityDetails {
  primaryContactId: number;
  emails: string[];
  phoneNumbers: string[];
  secondaryContactIds: number[];
  /** The primary's row first, then the secondaries' by age. */
  contacts: Contact[];
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export type { AuditEntry, Contact, CustomerOrder };

export { ApiError };

export class ForbiddenError extends ApiError {}

let apiBase = '';
export function configureApi(base: string): void {
  apiBase = base.replace(/\/$/, '');
}

async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const user = await currentUser();
  if (!user) return signIn(); // expired while the page was open: sign in again, come back here
  let res: Response;
  try {
    res = await fetch(`${apiBase}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${user.accessToken}`,
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      body: body !== undefined ? JSON.stringify(body) : undefined,
      cache: 'no-store',
    });
  } catch {
    throw new ApiError(0, 'network_error', 'The service could not be reached. Check the connection and try again.');
  }
  if (res.status === 401) return signIn();
  const data = (await res.json().catch(() => null)) as { error?: { code?: string; message?: string } } | null;
  if (!res.ok) {
    const code = data?.error?.code ?? `http_${res.status}`;
    const message = data?.error?.message ?? `The service answered ${res.status}.`;
    if (res.status === 403) throw new ForbiddenError(403, code, message);
    throw new ApiError(res.status, code, message);
  }
  return data as T;
}

export const api = {
  identity: (contactId: number) =>
    call<{ contact: IdentityDetails }>('GET', `/identities/${contactId}`).then((r) => r.contact),
  lookup: (values: { email?: string; phoneNumber?: string }) =>
    call<{ identities: IdentityDetails[] }>('POST', '/identities/lookup', values).then((r) => r.identities),
  merge: (a: number, b: number) =>
    call<{ contact: IdentityDetails }>('POST', '/identities/merge', { contactIds: [a, b] }).then((r) => r.contact),
  erase: (contactId: number) => call<{ erasedContactIds: number[] }>('DELETE', `/identities/${contactId}`),
  contacts: (options: { cursor?: string | null; includeDeleted?: boolean; limit?: number }) => {
    const q = new URLSearchParams({ limit: String(options.limit ?? 25) });
    if (options.cursor) q.set('cursor', options.cursor);
    if (options.includeDeleted) q.set('includeDeleted', 'true');
    return call<{ contacts: Contact[]; nextCursor: string | null }>('GET', `/contacts?${q}`).then(
      (r): Page<Contact> => ({ items: r.contacts, nextCursor: r.nextCursor }),
    );
  },
  audit: (options: { cursor?: string | null; limit?: number }) => {
    const q = new URLSearchParams({ limit: String(options.limit ?? 25) });
    if (options.cursor) q.set('cursor', options.cursor);
    return call<{ entries: AuditEntry[]; nextCursor: string | null }>('GET', `/audit?${q}`).then(
      (r): Page<AuditEntry> => ({ items: r.entries, nextCursor: r.nextCursor }),
    );
  },
  /** The orders of an identity (placed under any of its contact ids), newest first; total in cents. */
  orders: (contactId: number) =>
    call<{ orders: CustomerOrder[] }>('GET', `/identities/${contactId}/orders`).then((r) => r.orders),
};

/** The newest audit entry of an action on these contacts (walks the log, which is oldest first). */
export async function latestAuditEntry(action: AuditEntry['action'], contactIds: number[]): Promise<AuditEntry | null> {
  let cursor: string | null = null;
  let found: AuditEntry | null = null;
  for (let pages = 0; pages < 50; pages++) {
    const page: Page<AuditEntry> = await api.audit({ cursor, limit: 100 });
    for (const entry of page.items) {
      if (entry.action === action && contactIds.every((id) => entry.contactIds.includes(id))) found = entry;
    }
    if (!page.nextCursor) break;
    cursor = page.nextCursor;
  }
  return found;
}
