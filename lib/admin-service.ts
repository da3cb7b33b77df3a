/**
 * The read and admin operations behind the admin routes: listing contacts, looking identities up
 * without writing, merging two identities by hand, erasing a customer, and the audit log of the
 * admin actions. No HTTP here (functions/admin-* are the adapters) and no DynamoDB (lib/store/index.ts is
 * the port). The rules stay in lib/reconcile.ts: a manual merge is the same fold as /identify's.
 *
 * Concurrency follows the identity service: identities change only through writes guarded by the
 * primary's exact version; an attempt that lost a race re-reads (withRetries). Reads never write.
 */
import { NotFoundError, WriteConflict } from './errors';
import type { IdentityService } from './identity-service';
import type { AuditEntry, Contact, Identity, IdentityView, StoredContact } from './model';
import { compareAge, emailsOf, merge, phoneNumbersOf, toView } from './reconcile';
import { withRetries, type Deadline, type RetryOptions } from './retry';
import type { AdminStore, Page } from './store';
import { noTelemetry, type Telemetry } from './telemetry';

/** An identity with its rows, as the lookup, merge and erasure answers show it. */
export interface IdentityDetails {
  view: IdentityView;
  /** The primary's row first, then the secondaries' rows by (createdAt, id). */
  contacts: Contact[];
}

/** Who acts, for the audit log: the principal's `sub`, and the request that carried the action. */
export interface Actor {
  sub: string;
  requestId: string | null;
}

export interface AdminServiceOptions {
  clock?: () => Date;
  retry?: RetryOptions;
  /** Where merges, erasures and retries are counted (lib/telemetry.ts); none by default. */
  telemetry?: Telemetry;
}

/** Longest linkedId path a read follows to a row's final primary (a pending re-link adds one hop). */
const MAX_LINK_HOPS = 8;

const contactNotFound = (id: number) =>
  new NotFoundError(`Contact ${id} does not exist or has been erased.`, 'contact_not_found');

export class AdminService {
  private readonly clock: () => Date;

  constructor(
    private readonly store: AdminStore,
    private readonly identities: IdentityService,
    private readonly options: AdminServiceOptions = {},
  ) {
    this.clock = options.clock ?? (() => new Date());
    this.telemetry = options.telemetry ?? noTelemetry;
    this.options = { ...options, retry: { telemetry: options.telemetry, ...options.retry } };
  }

  private readonly telemetry: Telemetry;

  // ---------------------------------------------------------------- reads (never write)

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
      this.options.retry,
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
      this.options.retry,
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
        const identity = (await this.identities.identitiesOf([claim.primaryId], { repair: false })).get(
          claim.primaryId,
        );
        // No live identity behind the claim: an erasure is under way and will delete the claim.
        if (!identity) throw new NotFoundError('No identity has this value.', 'identity_not_found');
        const owns =
          value.email !== null ? emailsOf(identity).has(value.email) : phoneNumbersOf(identity).has(value.phoneNumber!);
        if (!owns) throw new WriteConflict('stale claim'); // data moved between the reads
        return this.details(identity);
      },
      this.options.retry,
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
        const identity = (await this.identities.identitiesOf([id], { repair: false })).get(id);
        if (!identity) throw contactNotFound(id);
        if (!contains(identity, id)) throw new WriteConflict('contact moved');
        return this.details(identity);
      },
      this.options.retry,
    );
  }

  /** A page of the audit log, oldest first; retried like every other storage call. */
  listAudit(query: { afterSeq: number; limit: number }, deadline: Deadline): Promise<Page<AuditEntry>> {
    return withRetries(deadline, () => this.store.listAudit(query), this.options.retry);
  }

  // ---------------------------------------------------------------- admin actions (audited)

  /**
   * Merges the identities containing contacts `a` and `b` exactly as /identify's rule 3 does: the
   * older primary stays, the other identity is folded in and re-linked. Idempotent: when both are
   * already one identity, it answers that identity and writes nothing but the audit record.
   * Audited: the record (changed: true) is written in the merge's own transaction; a call that
   * finds nothing to do records changed: false afterwards.
   */
  async merge(a: number, b: number, actor: Actor, deadline: Deadline): Promise<IdentityDetails> {
    const audit = this.auditDraft(actor, 'identity.merge', [a, b]);
    const { identity, changed } = await withRetries(
      deadline,
      async () => {
        await this.requireLive([a, b]);
        const found = await this.identities.identitiesOf([a, b], { repair: true });
        const first = found.get(a)!;
        const second = found.get(b)!;
        if (first.primary.id === second.primary.id) {
          // Already one identity. The two were read at different hops (following linkedId), and a
          // BatchGetItem is no snapshot: one read may predate the merge that the other already
          // shows. Answer the newer read, and only if it holds both contacts.
          const identity = first.version >= second.version ? first : second;
          if (!contains(identity, a) || !contains(identity, b)) throw new WriteConflict('read across a merge');
          return { identity, changed: false };
        }
        const [winner, loser] = compareAge(first.primary, second.primary) < 0 ? [first, second] : [second, first];
        const result = merge(winner, loser, this.clock());
        const record = await audit.entry(winner.primary.id, true);
        const pending = await this.store.merge(winner, loser, result, record);
        this.identities.countMerge(loser);
        if (pending) {
          await this.store.finishRelink(winner.primary.id, pending);
          this.telemetry.count('RelinkFinished');
        }
        return { identity: result.identity, changed: true };
      },
      this.options.retry,
    );
    if (!changed) await this.recordNoChange(deadline, () => audit.entry(identity.primary.id, false));
    return withRetries(deadline, () => this.details(identity), this.options.retry);
  }

  /**
   * Erases the identity containing `contactId`: every contact gets deletedAt, loses its email and
   * phone, and every value claim goes, so the same values later start a new identity. Idempotent:
   * erasing an erased identity answers the same ids. Answers the erased contact ids, ascending.
   * Audited like merge: the record commits with the erasure (or with its marker).
   */
  async erase(contactId: number, actor: Actor, deadline: Deadline): Promise<{ erasedContactIds: number[] }> {
    const audit = this.auditDraft(actor, 'identity.erase', []);
    const outcome = await withRetries(
      deadline,
      async () => {
        const stored = (await this.store.readContacts([contactId])).get(contactId);
        if (!stored) throw new NotFoundError(`Contact ${contactId} does not exist.`, 'contact_not_found');
        if (stored.contact.deletedAt !== null) return { ...(await this.erasedAlready(stored)), changed: false };
        // With repair: unfinished re-links are finished first, and an erasure under way is
        // finished and re-read (then the contact above is erased already).
        const identity = (await this.identities.identitiesOf([contactId], { repair: true })).get(contactId)!;
        const at = this.clock().toISOString();
        const ids = [identity.primary.id, ...identity.members.map((m) => m.id)];
        const record = await audit.entry(identity.primary.id, true, ids);
        const pending = await this.store.eraseIdentity(identity, at, record);
        this.telemetry.count('Erasure');
        if (pending) await this.store.finishErasure(identity.primary.id, pending);
        return { primaryContactId: identity.primary.id, ids, changed: true };
      },
      this.options.retry,
    );
    const erasedContactIds = [...outcome.ids].sort((x, y) => x - y);
    if (!outcome.changed) {
      await this.recordNoChange(deadline, () => audit.entry(outcome.primaryContactId, false, erasedContactIds));
    }
    return { erasedContactIds };
  }

  // ---------------------------------------------------------------- helpers

  /** The ids erased together with an erased contact, read from its primary. */
  private async erasedAlready(stored: StoredContact): Promise<{ primaryContactId: number; ids: number[] }> {
    let primary: StoredContact | undefined = stored;
    if (stored.kind === 'secondary') {
      primary = (await this.store.readContacts([stored.contact.linkedId!])).get(stored.contact.linkedId!);
    }
    if (!primary || primary.kind !== 'primary') throw new WriteConflict('erased contact without its primary');
    const { identity } = primary;
    if (identity.erasure) {
      // A large erasure that this contact's row already went through: finish it, then re-read.
      await this.store.finishErasure(identity.primary.id, identity.erasure);
      throw new WriteConflict('erasure finished');
    }
    return { primaryContactId: identity.primary.id, ids: identity.erasedIds ?? [identity.primary.id] };
  }

  /** 404 unless every id is a stored, not erased contact. */
  private async requireLive(ids: number[]): Promise<void> {
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
  private async details(identity: Identity): Promise<IdentityDetails> {
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

  /**
   * The audit record of one admin call. Its sequence number is reserved once, on first use (inside
   * the first attempt that is about to write, so a 404 burns none), and every attempt of the call
   * reuses it: the record is written at most once, by the transaction that commits the action or,
   * when the call changed nothing, by recordNoChange (which keeps a record already there).
   */
  private auditDraft(actor: Actor, action: AuditEntry['action'], contactIds: number[]) {
    let seq: number | undefined;
    return {
      entry: async (primaryContactId: number | null, changed: boolean, ids: number[] = contactIds): Promise<AuditEntry> => {
        seq ??= await this.store.reserveAuditSeq();
        return {
          seq,
          at: this.clock().toISOString(),
          actor: actor.sub,
          action,
          contactIds: action === 'identity.erase' ? [...ids].sort((x, y) => x - y) : ids,
          primaryContactId,
          changed,
          requestId: actor.requestId,
        };
      },
    };
  }

  /**
   * Records a call that found nothing to do. Its number may already hold the record of this call's
   * own committed action (an earlier attempt whose response was lost): that record stays.
   */
  private async recordNoChange(deadline: Deadline, entry: () => Promise<AuditEntry>): Promise<void> {
    await withRetries(deadline, async () => this.store.recordAudit(await entry()), this.options.retry);
  }
}

function contains(identity: Identity, id: number): boolean {
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
