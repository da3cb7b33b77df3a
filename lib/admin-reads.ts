/**
 * The admin reads behind the read routes (functions/admin-read, functions/admin-audit): listing
 * contacts, looking identities up by value or by contact, and the audit log. They never write:
 * a re-link or erasure left unfinished is shown as finished (asFinal) and left for the next
 * request that writes to finish. The admin actions (merge, erase) extend this class in
 * lib/admin-service.ts; a function that only reads bundles none of them. No HTTP here, no
 * DynamoDB (lib/store/index.ts is the port).
 */
import { NotFoundError, WriteConflict } from './errors';
import { identitiesOf } from './identity-reads';
import type { AuditEntry, Contact, Identity, IdentityView, StoredContact } from './model';
import { compareAge, emailsOf, phoneNumbersOf, toView } from './reconcile';
import { withRetries, type Deadline, type RetryOptions } from './retry';
import type { AdminReadStore, Page } from './store';
import type { Telemetry } from './telemetry';

/** An identity with its rows, as the lookup, merge and erasure answers show it. */
export interface IdentityDetails {
  view: IdentityView;
  /** The primary's row first, then the secondaries' rows by (createdAt, id). */
  contacts: Contact[];
}

export interface AdminReadsOptions {
  retry?: RetryOptions;
  /** Where retries are counted (lib/telemetry.ts); none by default. */
  telemetry?: Telemetry;
}

/** Longest linkedId path a read follows to a row's final primary (a pending re-link adds one hop). */
const MAX_LINK_HOPS = 8;

export const contactNotFound = (id: number) =>
  new NotFoundError(`Contact ${id} does not exist or has been erased.`, 'contact_not_found');

export class AdminReads<S extends AdminReadStore = AdminReadStore> {
  protected readonly retry: RetryOptions;

  constructor(
    protected readonly store: S,
    options: AdminReadsOptions = {},
  ) {
    this.retry = { telemetry: options.telemetry, ...options.retry };
  }

  /** A page of contacts in id order; throttling and other transient failures are retried until the deadline. */
  listContacts(
    query: { afterId: number; limit: number; includeDeleted: boolean },
    deadline: Deadline,
  ): Promise<Page<Contact>> {
    return withRetries(
      deadline,
      async () => {
        const page = await this.store.listContacts(query);
        const rows = await this.asFinal(page.items);
        return { ...page, items: query.includeDeleted ? rows : rows.filter((r) => r.deletedAt === null) };
      },
      this.retry,
    );
  }

  /** One contact row by id, erased ones included (they hold no email or phone any more). */
  async getContact(id: number, deadline: Deadline): Promise<Contact> {
    return withRetries(
      deadline,
      async () => {
        const stored = (await this.store.readContacts([id])).get(id);
        if (!stored) throw new NotFoundError(`Contact ${id} does not exist.`, 'contact_not_found');
        const [row] = await this.asFinal([stored.contact]);
        return row!;
      },
      this.retry,
    );
  }

  /**
   * Rows exactly as they are once every re-link and every erasure that has taken effect is
   * finished (SPEC: once a request has answered, every read path answers as if re-linking had
   * finished). Reads never write, so they resolve both here, with batch reads of the rows'
   * `linkedId`s (one per hop, usually one):
   * - Re-link. A large merge demotes the absorbed primary and re-links its secondaries in chunks
   *   after the merge transaction; if that was cut off (crash, timeout), some rows still point at
   *   the demoted primary until the next request touching the identity finishes it. Such a row
   *   is shown linked to the final primary, with the merge's time (the demoted primary's
   *   `updatedAt`) as `updatedAt`, as the rows re-linked inside the merge transaction have it.
   * - Erasure. A large erasure takes effect when its marker is written on the primary and then
   *   clears the secondaries' rows; if it was cut off in between, those rows still hold values
   *   until the next request touching a value (or a repeated DELETE) finishes it. They are shown
   *   as erased.
   */
  private async asFinal(rows: Contact[]): Promise<Contact[]> {
    const known = new Map<number, StoredContact>();
    let frontier = new Set(rows.filter((r) => r.deletedAt === null && r.linkedId !== null).map((r) => r.linkedId!));
    for (let hop = 0; frontier.size > 0 && hop < MAX_LINK_HOPS; hop++) {
      const found = await this.store.readContacts([...frontier]);
      const next = new Set<number>();
      for (const [id, stored] of found) {
        known.set(id, stored);
        // A secondary in the linkedId position: a demoted primary whose re-link is unfinished.
        if (stored.kind === 'secondary' && stored.contact.linkedId !== null && !known.has(stored.contact.linkedId)) {
          next.add(stored.contact.linkedId);
        }
      }
      frontier = next;
    }
    return rows.map((row) => {
      if (row.deletedAt !== null || row.linkedId === null) return row;
      let target = row.linkedId;
      let updatedAt = row.updatedAt;
      for (let hop = 0; hop < MAX_LINK_HOPS; hop++) {
        const via = known.get(target);
        if (via?.kind !== 'secondary' || via.contact.linkedId === null) break;
        if (via.contact.updatedAt > updatedAt) updatedAt = via.contact.updatedAt;
        target = via.contact.linkedId;
      }
      const primary = known.get(target);
      const erasedAt =
        primary?.kind === 'primary' ? (primary.identity.erasure?.at ?? primary.contact.deletedAt) : null;
      if (erasedAt) return { ...row, email: null, phoneNumber: null, deletedAt: erasedAt, updatedAt: erasedAt };
      return target === row.linkedId ? row : { ...row, linkedId: target, updatedAt };
    });
  }

  /** The identity that owns a normalised email or phone number (exactly one given). */
  async identityByValue(
    value: { email: string | null; phoneNumber: string | null },
    deadline: Deadline,
  ): Promise<IdentityDetails> {
    return withRetries(
      deadline,
      async () => {
        const claims = await this.store.readClaims(value.email, value.phoneNumber);
        const claim = claims.email ?? claims.phoneNumber;
        if (!claim) throw new NotFoundError('No identity has this value.', 'identity_not_found');
        const identity = (await identitiesOf(this.store, [claim.primaryId])).get(claim.primaryId);
        // No live identity behind the claim: an erasure is under way and will delete the claim.
        if (!identity) throw new NotFoundError('No identity has this value.', 'identity_not_found');
        const owns =
          value.email !== null ? emailsOf(identity).has(value.email) : phoneNumbersOf(identity).has(value.phoneNumber!);
        if (!owns) throw new WriteConflict('stale claim'); // data moved between the reads
        return this.details(identity);
      },
      this.retry,
    );
  }

  /**
   * The identities that own an email and / or a phone number: one, or two when the values belong to
   * different identities (oldest primary first); 404 when neither value is known.
   */
  async identitiesByValues(
    values: { email: string | null; phoneNumber: string | null },
    deadline: Deadline,
  ): Promise<IdentityDetails[]> {
    const found: IdentityDetails[] = [];
    const lookups = [
      values.email !== null ? { email: values.email, phoneNumber: null } : null,
      values.phoneNumber !== null ? { email: null, phoneNumber: values.phoneNumber } : null,
    ];
    for (const value of lookups) {
      if (!value) continue;
      try {
        const details = await this.identityByValue(value, deadline);
        if (!found.some((d) => d.view.primaryContactId === details.view.primaryContactId)) found.push(details);
      } catch (error) {
        if (!(error instanceof NotFoundError)) throw error;
      }
    }
    if (found.length === 0) throw new NotFoundError('No identity has these values.', 'identity_not_found');
    return found.sort((a, b) => compareAge(a.contacts[0]!, b.contacts[0]!));
  }

  /** The identity containing a contact. */
  async identityByContact(id: number, deadline: Deadline): Promise<IdentityDetails> {
    return withRetries(
      deadline,
      async () => {
        await this.requireLive([id]);
        const identity = (await identitiesOf(this.store, [id])).get(id);
        if (!identity) throw contactNotFound(id);
        if (!contains(identity, id)) throw new WriteConflict('contact moved');
        return this.details(identity);
      },
      this.retry,
    );
  }

  /** A page of the audit log, oldest first; retried like every other storage call. */
  listAudit(query: { afterSeq: number; limit: number }, deadline: Deadline): Promise<Page<AuditEntry>> {
    return withRetries(deadline, () => this.store.listAudit(query), this.retry);
  }

  // ---------------------------------------------------------------- helpers

  /** 404 unless every id is a stored, not erased contact. */
  protected async requireLive(ids: number[]): Promise<void> {
    const found = await this.store.readContacts(ids);
    for (const id of ids) {
      const stored = found.get(id);
      if (!stored || stored.contact.deletedAt !== null) throw contactNotFound(id);
    }
  }

  /**
   * The identity's view and rows. The aggregate is authoritative: while a merge's re-linking is
   * still pending, a row may still point at the absorbed primary; it is shown linked to this
   * identity's primary, which is what it is (and with the merge's time as updatedAt, see asFinal).
   */
  protected async details(identity: Identity): Promise<IdentityDetails> {
    const view = toView(identity);
    const rows = await this.store.readContacts(view.secondaryContactIds);
    const secondaries = view.secondaryContactIds.map((id) => {
      const stored = rows.get(id);
      if (!stored) throw new WriteConflict(`contact ${id} not found`);
      // Still linked to the demoted primary (a member too): shown with the merge's time, as asFinal does.
      const { contact } = stored;
      const via = contact.linkedId !== identity.primary.id && contact.linkedId !== null ? rows.get(contact.linkedId)?.contact : undefined;
      const updatedAt = via && via.updatedAt > contact.updatedAt ? via.updatedAt : contact.updatedAt;
      return row({ ...contact, linkedId: identity.primary.id, linkPrecedence: 'secondary', updatedAt });
    });
    return { view, contacts: [row(identity.primary), ...secondaries] };
  }

}

export function contains(identity: Identity, id: number): boolean {
  return identity.primary.id === id || identity.members.some((m) => m.id === id);
}

/** A contact in the SPEC's row shape and field order, nothing else. */
export function row(c: Contact): Contact {
  return {
    id: c.id,
    email: c.email,
    phoneNumber: c.phoneNumber,
    linkedId: c.linkedId,
    linkPrecedence: c.linkPrecedence,
    createdAt: c.createdAt,
    updatedAt: c.updatedAt,
    deletedAt: c.deletedAt,
  };
}
