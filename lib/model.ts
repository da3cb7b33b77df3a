/**
 * The domain's data shapes (SPEC.md, "Vocabulary"). Plain data: no storage or HTTP types.
 */

export type LinkPrecedence = 'primary' | 'secondary';

/** One stored contact row, in the SPEC's row shape. Timestamps are ISO-8601 UTC with milliseconds. */
export interface Contact {
  id: number;
  email: string | null;
  phoneNumber: string | null;
  linkedId: number | null;
  linkPrecedence: LinkPrecedence;
  createdAt: string;
  updatedAt: string;
  deletedAt: string | null;
}

/** What an identity's primary remembers about each of its secondaries. */
export interface Member {
  id: number;
  createdAt: string;
  email: string | null;
  phoneNumber: string | null;
}

/**
 * Work that a merge could not fit into its transaction: rows still linked to the absorbed primary
 * (`from`) and value claims still hinting at it. Any request that meets it finishes it first.
 */
export interface PendingRelink {
  from: number;
  contactIds: number[];
  emails: string[];
  phoneNumbers: string[];
}

/**
 * An identity as stored on its primary: the primary row plus the aggregate of its secondaries,
 * so that one consistent read answers a request. `version` is the optimistic-concurrency token
 * that every change to the aggregate advances.
 */
export interface Identity {
  primary: Contact;
  members: Member[];
  version: number;
  relink: PendingRelink | null;
  /** An erasure (DELETE /identities/{id}) that is under way; the identity counts as erased. */
  erasure?: PendingErasure | null;
  /** On an erased primary only: the ids of every contact erased with its identity. */
  erasedIds?: number[];
}

/** A value claim that an erasure deletes, with the contact that claimed it (the delete's guard). */
export interface ClaimRef {
  value: string;
  contactId: number;
}

/**
 * An erasure too large for one transaction, recorded on the primary by a version-guarded write:
 * the contacts to mark deleted and the claims to delete. Its steps are idempotent, and any request
 * that meets it finishes it before going on.
 */
export interface PendingErasure {
  /** The erasure's timestamp: every erased row gets it as deletedAt and updatedAt (the primary's with the marker). */
  at: string;
  contactIds: number[];
  emails: ClaimRef[];
  phoneNumbers: ClaimRef[];
}

/** The `contact` object of a /identify response (without the deprecated alias, which the HTTP layer adds). */
export interface IdentityView {
  primaryContactId: number;
  emails: string[];
  phoneNumbers: string[];
  secondaryContactIds: number[];
}

/** A stored contact read by id: a primary with its identity, or a secondary row. */
export type StoredContact =
  | { kind: 'primary'; contact: Contact; identity: Identity }
  | { kind: 'secondary'; contact: Contact };

/** The claim of one email or phone value: the contact that introduced it and a hint to its primary. */
export interface Claim {
  value: string;
  contactId: number;
  primaryId: number;
}

/**
 * One record of the audit log of admin actions: who, what, which contacts, when. No email or phone.
 * A merge or erasure that changes data writes its record in the same DynamoDB transaction that
 * commits the change (for a large erasure: the transaction of its marker, where it takes effect),
 * so no committed action lacks its record; a call that finds nothing to do is recorded after.
 */
export interface AuditEntry {
  /** Position in the log (increasing; gaps are possible). */
  seq: number;
  at: string;
  /** The acting principal's `sub`. */
  actor: string;
  action: 'identity.merge' | 'identity.erase';
  contactIds: number[];
  /** The identity's primary after a merge, or the erased identity's primary. */
  primaryContactId: number | null;
  /**
   * True: this call's own write committed the action (the record is part of that commit). False:
   * the call found nothing left to do (a repeated merge or erasure, or one that a concurrent request
   * had already done). Exact, because the record commits with the change or is written without one.
   */
  changed: boolean;
  requestId: string | null;
}
