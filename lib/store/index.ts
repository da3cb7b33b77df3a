/**
 * The storage port: what the identity service needs from storage, in domain terms.
 * lib/store/dynamodb/ implements it on DynamoDB. Writes are conditional: a write that lost a
 * race throws WriteConflict (nothing was written) and the service re-reads; a transient failure
 * throws TransientStorageError (the write may or may not have committed) and the service
 * re-reads after a backoff. Both re-reads converge because every write is guarded.
 * Every change to an identity (createPrimary, addSecondary, merge, eraseIdentity) commits together
 * with its change record, from which the change events are derived (lib/events/change.ts).
 */
import type { AuditEntry, Claim, Contact, Identity, PendingErasure, PendingRelink, StoredContact } from '../model';
import type { MergeResult } from '../reconcile';

export interface ClaimPair {
  email: Claim | null;
  phoneNumber: Claim | null;
}

/** The reads every service shares; they never write. */
export interface StoreReads {
  /** Strongly consistent read of the claims of an email and a phone number (null = not asked). */
  readClaims(email: string | null, phoneNumber: string | null): Promise<ClaimPair>;

  /** Strongly consistent read of contacts by id; unknown ids are absent from the map. */
  readContacts(ids: readonly number[]): Promise<Map<number, StoredContact>>;
}

export interface ContactStore extends StoreReads {
  /** A fresh contact id: unique, positive, increasing within this instance. */
  allocateContactId(): Promise<number>;

  /** Creates a one-contact identity and claims its values, unless a value is already claimed. */
  createPrimary(identity: Identity): Promise<void>;

  /**
   * Stores a new secondary, claims the values it introduces and appends it to the identity's
   * aggregate, unless the identity changed since `before` was read or a value was claimed.
   */
  addSecondary(
    before: Identity,
    contact: Contact,
    claims: { email: string | null; phoneNumber: string | null },
  ): Promise<void>;

  /**
   * Folds `loser` into `winner` atomically (aggregate, demotion, and as many re-links and claim
   * hints as one transaction holds), unless either changed since it was read. Returns the work
   * that did not fit, recorded on the winner for anyone to finish, or null. With `audit`, that
   * audit record is written in the same transaction (an admin merge): committed with it or not at all.
   */
  merge(winner: Identity, loser: Identity, result: MergeResult, audit?: AuditEntry): Promise<PendingRelink | null>;

  /** Finishes a merge's recorded re-linking; idempotent, safe to run by many requests at once. */
  finishRelink(primaryId: number, pending: PendingRelink): Promise<void>;

  /** Finishes a recorded erasure; idempotent, safe to run by many requests at once. */
  finishErasure(primaryId: number, pending: PendingErasure): Promise<void>;
}

export interface Page<T> {
  items: T[];
  /** True when rows after the last item may exist (the page may also have ended early). */
  hasMore: boolean;
  /** With hasMore: the key after which the next page starts (the last item's, or further). */
  resumeAfter: number | null;
}

/** What the admin reads (lib/admin-reads.ts) need: reads only, so a function that only reads carries no write. */
export interface AdminReadStore extends StoreReads {
  /**
   * Contacts with id > afterId in id order, strongly consistent; erased ones only when asked.
   * A row that existed when the listing started is never skipped or repeated by a later page.
   */
  listContacts(query: { afterId: number; limit: number; includeDeleted: boolean }): Promise<Page<Contact>>;

  /** Audit records with seq > afterSeq, oldest first, strongly consistent. */
  listAudit(query: { afterSeq: number; limit: number }): Promise<Page<AuditEntry>>;
}

/** What the admin actions (lib/admin-service.ts) need on top of the identity service's port and the admin reads. */
export interface AdminStore extends ContactStore, AdminReadStore {
  /**
   * Erases an identity read at `identity.version`: every contact gets deletedAt = `at` and loses
   * its email and phone, the aggregate goes, every value claim is deleted. Small identities in one
   * transaction (returns null); larger ones get a version-guarded erasure marker on the primary,
   * returned for finishErasure (the marker write already erases the primary's own row: the
   * erasure takes effect there). WriteConflict when the identity changed since it was read.
   * `audit` is written in the same transaction as the erasure (or as its marker).
   */
  eraseIdentity(identity: Identity, at: string, audit?: AuditEntry): Promise<PendingErasure | null>;

  /** Reserves the next audit sequence number (an unused one leaves a gap). */
  reserveAuditSeq(): Promise<number>;

  /** Writes an audit record under its seq, unless a record with that seq exists (it stays). */
  recordAudit(entry: AuditEntry): Promise<void>;
}
