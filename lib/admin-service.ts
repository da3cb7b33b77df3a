/**
 * The admin actions behind the write routes: merging two identities by hand (functions/admin-merge)
 * and erasing a customer (functions/admin-erase), both audited, on top of the admin reads
 * (lib/admin-reads.ts) that answer them. No HTTP here (functions/admin-* are the adapters) and no
 * DynamoDB (lib/store/index.ts is the port). The rules stay in lib/reconcile.ts: a manual merge is
 * the same fold as /identify's.
 *
 * Concurrency follows the identity service: identities change only through writes guarded by the
 * primary's exact version; an attempt that lost a race re-reads (withRetries).
 */
import { AdminReads, contains, type IdentityDetails } from './admin-reads';
import { NotFoundError, WriteConflict } from './errors';
import type { IdentityService } from './identity-service';
import type { AuditEntry, StoredContact } from './model';
import { compareAge, merge } from './reconcile';
import { withRetries, type Deadline, type RetryOptions } from './retry';
import type { AdminStore } from './store';
import { noTelemetry, type Telemetry } from './telemetry';

export type { IdentityDetails } from './admin-reads';
export { row } from './admin-reads';

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

export class AdminService extends AdminReads<AdminStore> {
  private readonly clock: () => Date;
  private readonly telemetry: Telemetry;

  constructor(
    store: AdminStore,
    private readonly identities: IdentityService,
    options: AdminServiceOptions = {},
  ) {
    super(store, options);
    this.clock = options.clock ?? (() => new Date());
    this.telemetry = options.telemetry ?? noTelemetry;
  }

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
      this.retry,
    );
    if (!changed) await this.recordNoChange(deadline, () => audit.entry(identity.primary.id, false));
    return withRetries(deadline, () => this.details(identity), this.retry);
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
      this.retry,
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
    await withRetries(deadline, async () => this.store.recordAudit(await entry()), this.retry);
  }
}
