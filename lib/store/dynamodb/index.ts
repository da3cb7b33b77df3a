/**
 * The DynamoDB adapter of the storage port (lib/store/index.ts): every DynamoDB read and write of
 * the identity service is in this folder. This file holds the store objects, one per port of
 * lib/store/index.ts, each extending the one before, so a function bundles only the code of the
 * port it uses: DynamoStoreReads (the reads every port shares), DynamoReadStore (plus the
 * listings), DynamoIdentityStore (plus the identity writes) and DynamoContactStore (the identity
 * store plus the listings, erasure and the audit log). Each delegates every operation but the
 * reads to the file of its concern. It also exports what the container, the scripts and the tests need. The item layout is documented in items.ts.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ContactValueMode } from '../../events/change';
import type { AuditEntry, Contact, Identity, PendingErasure, PendingRelink, StoredContact } from '../../model';
import type { MergeResult } from '../../reconcile';
import type { TableNames } from '../../tables';
import type { AdminReadStore, AdminStore, ClaimPair, ContactStore, Page, StoreReads } from '../index';
import * as admin from './admin';
import { IdBlocks } from './counters';
import * as erasure from './erasure';
import * as writes from './identity-writes';
import { contactKey, toClaim, toStoredContact } from './items';
import { batchGet, MAX_BATCH_GET_KEYS, MAX_TRANSACTION_ACTIONS, type BatchGetRequest } from './send';

export { BUCKET_SIZE, contactKey, toChange, toContact, toStoredContact } from './items';
export { MAX_TRANSACTION_ACTIONS } from './send';
export { translate } from './errors';

export interface DynamoStoreOptions {
  /** How change records carry emails and phones (EVENT_CONTACT_VALUES). @default 'hashed' */
  contactValues?: ContactValueMode;
}

/** The reads every store shares (the StoreReads port). Holds no state besides the client. */
export class DynamoStoreReads implements StoreReads {
  constructor(
    protected readonly db: DynamoDBDocumentClient,
    protected readonly tables: TableNames,
  ) {}

  async readClaims(email: string | null, phoneNumber: string | null): Promise<ClaimPair> {
    const request: BatchGetRequest = {};
    if (email !== null) request[this.tables.emails] = { Keys: [{ email }], ConsistentRead: true };
    if (phoneNumber !== null) {
      request[this.tables.phones] = { Keys: [{ phone: phoneNumber }], ConsistentRead: true };
    }
    const responses = await batchGet(this.db, request);
    const emailItem = responses[this.tables.emails]?.[0];
    const phoneItem = responses[this.tables.phones]?.[0];
    return {
      email: emailItem ? toClaim(emailItem, 'email') : null,
      phoneNumber: phoneItem ? toClaim(phoneItem, 'phone') : null,
    };
  }

  async readContacts(ids: readonly number[]): Promise<Map<number, StoredContact>> {
    const result = new Map<number, StoredContact>();
    const unique = [...new Set(ids)];
    for (let i = 0; i < unique.length; i += MAX_BATCH_GET_KEYS) {
      const keys = unique.slice(i, i + MAX_BATCH_GET_KEYS).map(contactKey);
      const responses = await batchGet(this.db, {
        [this.tables.contacts]: { Keys: keys, ConsistentRead: true },
      });
      for (const item of responses[this.tables.contacts] ?? []) {
        const stored = toStoredContact(item);
        result.set(stored.contact.id, stored);
      }
    }
    return result;
  }

}

/**
 * The reads of a function that never writes (admin reads and the audit log: the AdminReadStore
 * port), so its bundle carries none of the write code below.
 */
export class DynamoReadStore extends DynamoStoreReads implements AdminReadStore {
  // ---------------------------------------------------------------- listings (admin.ts)

  listContacts(query: { afterId: number; limit: number; includeDeleted: boolean }): Promise<Page<Contact>> {
    return admin.listContacts(this.db, this.tables, query);
  }

  listAudit(query: { afterSeq: number; limit: number }): Promise<Page<AuditEntry>> {
    return admin.listAudit(this.db, this.tables, query);
  }
}

/**
 * The identity service's store (the ContactStore port: /identify and the checkout): the reads and
 * the identity writes, without the admin actions' erasure and audit writes.
 */
export class DynamoIdentityStore extends DynamoStoreReads implements ContactStore {
  private readonly ids: IdBlocks;
  protected readonly contactValues: ContactValueMode;

  constructor(
    db: DynamoDBDocumentClient,
    tables: TableNames,
    idBlockSize: number,
    /** Tests lower this to reach the re-link path with small identities. */
    protected readonly maxTransactionActions: number = MAX_TRANSACTION_ACTIONS,
    options: DynamoStoreOptions = {},
  ) {
    super(db, tables);
    this.ids = new IdBlocks(db, tables, idBlockSize);
    this.contactValues = options.contactValues ?? 'hashed';
  }

  // ---------------------------------------------------------------- ids (counters.ts)

  allocateContactId(): Promise<number> {
    return this.ids.next();
  }

  // ---------------------------------------------------------------- writes (identity-writes.ts)

  createPrimary(identity: Identity): Promise<void> {
    return writes.createPrimary(this.db, this.tables, identity, this.contactValues);
  }

  addSecondary(
    before: Identity,
    contact: Contact,
    claims: { email: string | null; phoneNumber: string | null },
  ): Promise<void> {
    return writes.addSecondary(this.db, this.tables, before, contact, claims, this.contactValues);
  }

  merge(winner: Identity, loser: Identity, result: MergeResult, audit?: AuditEntry): Promise<PendingRelink | null> {
    return writes.merge(this.db, this.tables, this.maxTransactionActions, winner, loser, result, audit);
  }

  finishRelink(primaryId: number, pending: PendingRelink): Promise<void> {
    return writes.finishRelink(this.db, this.tables, this.maxTransactionActions, primaryId, pending);
  }

  /** A request that meets an unfinished erasure finishes it (erasure.ts). */
  finishErasure(primaryId: number, pending: PendingErasure): Promise<void> {
    return erasure.finishErasure(this.db, this.tables, this.maxTransactionActions, primaryId, pending);
  }
}

/** The whole store (the AdminStore port: the admin actions, and every test and script): erasure and the audit log too. */
export class DynamoContactStore extends DynamoIdentityStore implements AdminStore {
  // ---------------------------------------------------------------- listings (admin.ts)

  listContacts(query: { afterId: number; limit: number; includeDeleted: boolean }): Promise<Page<Contact>> {
    return admin.listContacts(this.db, this.tables, query);
  }

  listAudit(query: { afterSeq: number; limit: number }): Promise<Page<AuditEntry>> {
    return admin.listAudit(this.db, this.tables, query);
  }

  // ---------------------------------------------------------------- erasure (erasure.ts)

  eraseIdentity(identity: Identity, at: string, audit?: AuditEntry): Promise<PendingErasure | null> {
    return erasure.eraseIdentity(this.db, this.tables, this.maxTransactionActions, identity, at, audit);
  }

  // ---------------------------------------------------------------- audit (admin.ts)

  reserveAuditSeq(): Promise<number> {
    return admin.reserveAuditSeq(this.db, this.tables);
  }

  recordAudit(entry: AuditEntry): Promise<void> {
    return admin.recordAudit(this.db, this.tables, entry);
  }
}
