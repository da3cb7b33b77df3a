/**
 * The DynamoDB adapter of the storage port (lib/store.ts): every DynamoDB read and write of the
 * identity service is in this file, together with the item layout.
 *
 * Items
 * - Contacts  {bucket, id, email?, phoneNumber?, linkedId?, linkPrecedence, createdAt, updatedAt,
 *              deletedAt?} and, on a primary only, the identity aggregate:
 *              members [{id, createdAt, email?, phoneNumber?}] (its secondaries), ver (version),
 *              relink? (a merge's unfinished re-linking), erasure? (an erasure's to-do list,
 *              {at, contactIds, emails/phoneNumbers: {c<contactId>: {value, contactId}}}, written
 *              by a version-guarded update that also erases the primary's own row, when the
 *              erasure is too large for one transaction; entries leave it with their claims).
 *              An erased contact has deletedAt and no email or phoneNumber; an erased primary
 *              keeps no aggregate, only erasedIds (every contact erased with it).
 * - ContactEmails {email, contactId, primaryId}, ContactPhones {phone, contactId, primaryId}:
 *              the unique claim of a value. contactId never changes; primaryId is a hint that
 *              merges refresh and readers verify by following linkedId.
 * - Counters  {name: "contactId", value}: the high-water mark of reserved id blocks;
 *              {name: "auditSeq", value}: the last audit sequence number handed out.
 * - AuditLog  {bucket = floor(seq / 1000), seq, at, actor, action, contactIds, primaryContactId?,
 *              changed, requestId?}: one admin action, written in the action's own transaction
 *              (or after it, when the action found nothing to do); never an email or a phone number.
 *
 * Listings (contacts by id, audit records by seq) Query the bucketed tables bucket after bucket
 * with ConsistentRead, up to the bucket of the counter's value, resuming after the last key seen.
 */
import {
  ConditionalCheckFailedException,
  TransactionCanceledException,
} from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  DeleteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
  type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { randomUUID } from 'node:crypto';
import { IdentityTooLargeError, TransientStorageError, WriteConflict } from './errors';
import type { AuditEntry, Claim, ClaimRef, Contact, Identity, Member, PendingErasure, PendingRelink, StoredContact } from './model';
import { emailsOf, phoneNumbersOf, type MergeResult } from './reconcile';
import type { AdminStore, ClaimPair, Page } from './store';
import type { TableNames } from './tables';

/** Ids per item collection of the Contacts table. */
export const BUCKET_SIZE = 1000;
/** DynamoDB's limit of actions in one TransactWriteItems. */
export const MAX_TRANSACTION_ACTIONS = 100;
/** DynamoDB's limit of keys in one BatchGetItem. */
const MAX_BATCH_GET_KEYS = 100;
/** Most Queries one page of a listing spends before it ends early (sparse or filtered data); every Query counts. */
const MAX_QUERIES_PER_PAGE = 25;
/** Parallel single-item writes when settling the steps of a large re-link or erasure one by one. */
const STEP_PARALLELISM = 16;
/** Parallel transactions (chunks of steps) when finishing a large re-link or erasure. */
const STEP_CHUNK_PARALLELISM = 4;
const CONTACT_ID_COUNTER = 'contactId';
/** Re-sends of a transaction whose outcome is unknown, under its original ClientRequestToken. */
const SAME_TOKEN_RETRIES = 8;
/** Re-sends of a chunk of re-link steps after transient failures. */
const STEP_RETRIES = 8;
/** Counters item that numbers the audit log. */
const AUDIT_SEQ_COUNTER = 'auditSeq';

type Item = Record<string, unknown>;
type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

export function contactKey(id: number): { bucket: number; id: number } {
  return { bucket: Math.floor(id / BUCKET_SIZE), id };
}

export class DynamoContactStore implements AdminStore {
  private idBlock: { next: number; end: number } = { next: 0, end: 0 };
  private refill: Promise<void> | null = null;

  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tables: TableNames,
    private readonly idBlockSize: number,
    /** Tests lower this to reach the re-link path with small identities. */
    private readonly maxTransactionActions: number = MAX_TRANSACTION_ACTIONS,
  ) {}

  // ---------------------------------------------------------------- reads

  async readClaims(email: string | null, phoneNumber: string | null): Promise<ClaimPair> {
    const request: Record<string, { Keys: Item[]; ConsistentRead: true }> = {};
    if (email !== null) request[this.tables.emails] = { Keys: [{ email }], ConsistentRead: true };
    if (phoneNumber !== null) {
      request[this.tables.phones] = { Keys: [{ phone: phoneNumber }], ConsistentRead: true };
    }
    const responses = await this.batchGet(request);
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
      const responses = await this.batchGet({
        [this.tables.contacts]: { Keys: keys, ConsistentRead: true },
      });
      for (const item of responses[this.tables.contacts] ?? []) {
        const stored = toStoredContact(item);
        result.set(stored.contact.id, stored);
      }
    }
    return result;
  }

  /** BatchGetItem, re-asking for unprocessed keys with a short backoff. */
  private async batchGet(
    request: Record<string, { Keys: Item[]; ConsistentRead: true }>,
  ): Promise<Record<string, Item[]>> {
    const found: Record<string, Item[]> = {};
    let pending: typeof request | undefined = request;
    for (let round = 0; pending && Object.keys(pending).length > 0; round++) {
      if (round === 5) throw new TransientStorageError('throttled');
      if (round > 0) await sleep(shortBackoff(round));
      const out = await call(() => this.db.send(new BatchGetCommand({ RequestItems: pending })));
      for (const [table, items] of Object.entries(out.Responses ?? {})) {
        (found[table] ??= []).push(...(items as Item[]));
      }
      pending = out.UnprocessedKeys as typeof request | undefined;
    }
    return found;
  }

  // ---------------------------------------------------------------- ids

  /**
   * Ids come from blocks reserved with one atomic ADD on the counter item, so the counter is
   * written once per block, not once per contact. An ADD retried after a lost response burns
   * a block; ids stay unique.
   */
  async allocateContactId(): Promise<number> {
    while (this.idBlock.next > this.idBlock.end || this.idBlock.next === 0) {
      this.refill ??= this.reserveBlock().finally(() => {
        this.refill = null;
      });
      await this.refill;
    }
    return this.idBlock.next++;
  }

  private async reserveBlock(): Promise<void> {
    const end = await this.addToCounter(CONTACT_ID_COUNTER, this.idBlockSize);
    this.idBlock = { next: end - this.idBlockSize + 1, end };
  }

  /** One atomic ADD on a Counters item; returns the new value (the top of the reserved range). */
  private async addToCounter(name: string, amount: number): Promise<number> {
    const out = await call(() =>
      this.db.send(
        new UpdateCommand({
          TableName: this.tables.counters,
          Key: { name },
          UpdateExpression: 'ADD #value :amount',
          ExpressionAttributeNames: { '#value': 'value' },
          ExpressionAttributeValues: { ':amount': amount },
          ReturnValues: 'UPDATED_NEW',
        }),
      ),
    );
    return Number(out.Attributes?.value);
  }

  // ---------------------------------------------------------------- writes

  async createPrimary(identity: Identity): Promise<void> {
    const { primary } = identity;
    const items: TransactItem[] = [
      {
        Put: {
          TableName: this.tables.contacts,
          Item: { ...contactItem(primary), members: [], ver: identity.version },
          ConditionExpression: 'attribute_not_exists(id)',
        },
      },
      ...this.putClaims(primary.email, primary.phoneNumber, primary.id, primary.id),
    ];
    await this.transact(items);
  }

  async addSecondary(
    before: Identity,
    contact: Contact,
    claims: { email: string | null; phoneNumber: string | null },
  ): Promise<void> {
    const primaryId = before.primary.id;
    await this.transact([
      {
        Put: {
          TableName: this.tables.contacts,
          Item: contactItem(contact),
          ConditionExpression: 'attribute_not_exists(id)',
        },
      },
      ...this.putClaims(claims.email, claims.phoneNumber, contact.id, primaryId),
      {
        Update: {
          TableName: this.tables.contacts,
          Key: contactKey(primaryId),
          UpdateExpression: 'SET members = list_append(members, :member), ver = ver + :one',
          ConditionExpression: 'ver = :ver AND linkPrecedence = :primary',
          ExpressionAttributeValues: {
            ':member': [memberItem(contact)],
            ':one': 1,
            ':ver': before.version,
            ':primary': 'primary',
          },
        },
      },
    ]);
  }

  async merge(winner: Identity, loser: Identity, result: MergeResult, audit?: AuditEntry): Promise<PendingRelink | null> {
    const winnerId = winner.primary.id;
    const loserId = loser.primary.id;
    const { demoted } = result;

    // Re-links and claim hints go into the same transaction as far as it has room; the rest is
    // recorded on the winner and finished by finishRelink (here, or by whoever comes next).
    const auditPut = audit ? [this.auditPut(audit)] : [];
    const room = Math.max(0, this.maxTransactionActions - 2 - auditPut.length);
    const relinkNow = result.relinkIds.slice(0, room);
    let left = room - relinkNow.length;
    const emailsNow = result.movedEmails.slice(0, left);
    left -= emailsNow.length;
    const phonesNow = result.movedPhoneNumbers.slice(0, left);
    const pending: PendingRelink = {
      from: loserId,
      contactIds: result.relinkIds.slice(relinkNow.length),
      emails: result.movedEmails.slice(emailsNow.length),
      phoneNumbers: result.movedPhoneNumbers.slice(phonesNow.length),
    };
    const hasPending =
      pending.contactIds.length + pending.emails.length + pending.phoneNumbers.length > 0;

    const moved = result.identity.members.slice(winner.members.length).map(memberItem);
    await this.transact([
      {
        Update: {
          TableName: this.tables.contacts,
          Key: contactKey(winnerId),
          UpdateExpression: `SET members = list_append(members, :moved), ver = ver + :one${
            hasPending ? ', relink = :pending' : ''
          }`,
          ConditionExpression: 'ver = :ver AND attribute_not_exists(relink)',
          ExpressionAttributeValues: {
            ':moved': moved,
            ':one': 1,
            ':ver': winner.version,
            ...(hasPending ? { ':pending': pending } : {}),
          },
        },
      },
      {
        Update: {
          TableName: this.tables.contacts,
          Key: contactKey(loserId),
          UpdateExpression:
            'SET linkedId = :winner, linkPrecedence = :secondary, updatedAt = :now REMOVE members, ver',
          ConditionExpression: 'ver = :ver AND attribute_not_exists(relink)',
          ExpressionAttributeValues: {
            ':winner': winnerId,
            ':secondary': 'secondary',
            ':now': demoted.updatedAt,
            ':ver': loser.version,
          },
        },
      },
      ...relinkNow.map((id) => this.relinkAction(id, loserId, winnerId, demoted.updatedAt)),
      ...emailsNow.map((email) => this.hintAction('emails', { email }, winnerId)),
      ...phonesNow.map((phone) => this.hintAction('phones', { phone }, winnerId)),
      // An admin merge's audit record commits with the merge itself, or not at all.
      ...auditPut,
    ]);
    return hasPending ? pending : null;
  }

  async finishRelink(primaryId: number, pending: PendingRelink): Promise<void> {
    const now = new Date().toISOString();
    const actions = [
      ...pending.contactIds.map((id) => this.relinkAction(id, pending.from, primaryId, now)),
      ...pending.emails.map((email) => this.hintAction('emails', { email }, primaryId, pending.from)),
      ...pending.phoneNumbers.map((phone) => this.hintAction('phones', { phone }, primaryId, pending.from)),
    ];
    // The steps go in transactions of up to maxTransactionActions conditional updates (one round
    // trip per chunk instead of one per row). A crash between chunks leaves the record for the
    // next request to finish.
    await runLimited(
      chunked<TransactItem>(actions, this.maxTransactionActions).map((chunk) => () => this.applySteps(chunk)),
      STEP_CHUNK_PARALLELISM,
    );
    await this.update({
      TableName: this.tables.contacts,
      Key: contactKey(primaryId),
      UpdateExpression: 'REMOVE relink',
      ConditionExpression: 'relink.#from = :from',
      ExpressionAttributeNames: { '#from': 'from' },
      ExpressionAttributeValues: { ':from': pending.from },
    });
  }

  // ---------------------------------------------------------------- admin: listing, erasure, audit

  async listContacts(query: { afterId: number; limit: number; includeDeleted: boolean }): Promise<Page<Contact>> {
    const page = await this.queryInOrder({
      table: this.tables.contacts,
      sortKey: 'id',
      counter: CONTACT_ID_COUNTER,
      after: query.afterId,
      limit: query.limit,
      filter: query.includeDeleted ? undefined : 'attribute_not_exists(deletedAt)',
    });
    return { items: page.items.map(toContact), hasMore: page.hasMore, resumeAfter: page.resumeAfter };
  }

  async listAudit(query: { afterSeq: number; limit: number }): Promise<Page<AuditEntry>> {
    const page = await this.queryInOrder({
      table: this.tables.audit,
      sortKey: 'seq',
      counter: AUDIT_SEQ_COUNTER,
      after: query.afterSeq,
      limit: query.limit,
    });
    return { items: page.items.map(toAuditEntry), hasMore: page.hasMore, resumeAfter: page.resumeAfter };
  }

  /**
   * Items of a bucketed table (partition `bucket` = floor(key / BUCKET_SIZE), sort key `sortKey`)
   * with key > `after`, in key order: strongly consistent Queries, bucket after bucket, up to the
   * bucket of the counter's value (the highest key ever handed out; buckets may be empty because
   * reserved blocks can go unused). Reads one item beyond `limit` to know whether more exist.
   * A page spends at most MAX_QUERIES_PER_PAGE Queries, each one counted (the next page of one
   * bucket too): past that (long runs of empty buckets or of filtered-out rows) it ends early,
   * possibly short or empty, and the next page resumes after the last key it evaluated (the
   * Query's LastEvaluatedKey inside a bucket, or the end of the last bucket it finished).
   */
  private async queryInOrder(q: {
    table: string;
    sortKey: string;
    counter: string;
    after: number;
    limit: number;
    filter?: string;
  }): Promise<{ items: Item[]; hasMore: boolean; resumeAfter: number | null }> {
    const highest = await this.counterValue(q.counter);
    const items: Item[] = [];
    const lastBucket = Math.floor(highest / BUCKET_SIZE);
    let queries = 0;
    for (let bucket = Math.floor((q.after + 1) / BUCKET_SIZE); bucket <= lastBucket && items.length <= q.limit; bucket++) {
      let start: Item | undefined;
      do {
        if (queries >= MAX_QUERIES_PER_PAGE) {
          // Every item read so far has a key up to where the last Query stopped evaluating.
          const resumeAfter = start ? Number(start[q.sortKey]) : Math.max(q.after, bucket * BUCKET_SIZE - 1);
          return { items, hasMore: true, resumeAfter };
        }
        const wanted = q.limit + 1 - items.length;
        const out = await call(() =>
          this.db.send(
            new QueryCommand({
              TableName: q.table,
              KeyConditionExpression: '#bucket = :bucket AND #key > :after',
              FilterExpression: q.filter,
              ExpressionAttributeNames: { '#bucket': 'bucket', '#key': q.sortKey },
              ExpressionAttributeValues: { ':bucket': bucket, ':after': q.after },
              ConsistentRead: true,
              // With a filter, Limit counts items before filtering: read a little more per call.
              Limit: q.filter ? Math.min(BUCKET_SIZE, wanted * 2) : wanted,
              ExclusiveStartKey: start,
            }),
          ),
        );
        queries++;
        items.push(...((out.Items ?? []) as Item[]));
        start = out.LastEvaluatedKey as Item | undefined;
      } while (start && items.length <= q.limit);
    }
    const page = items.slice(0, q.limit);
    const hasMore = items.length > q.limit;
    return { items: page, hasMore, resumeAfter: hasMore ? Number(page.at(-1)![q.sortKey]) : null };
  }

  private async counterValue(name: string): Promise<number> {
    const out = await call(() =>
      this.db.send(new GetCommand({ TableName: this.tables.counters, Key: { name }, ConsistentRead: true })),
    );
    return Number(out.Item?.value ?? 0);
  }

  async eraseIdentity(identity: Identity, at: string, audit?: AuditEntry): Promise<PendingErasure | null> {
    const primaryId = identity.primary.id;
    const secondaryIds = identity.members.map((m) => m.id);
    const emails = [...emailsOf(identity)];
    const phones = [...phoneNumbersOf(identity)];
    // The identity must be exactly as read: same version, still a live primary, nothing pending.
    const guard = {
      ConditionExpression:
        'ver = :ver AND linkPrecedence = :primary AND attribute_not_exists(relink) AND attribute_not_exists(erasure) AND attribute_not_exists(deletedAt)',
      values: { ':ver': identity.version, ':primary': 'primary', ':one': 1 },
    };
    // The audit record commits with the erasure (the transaction, or the marker that starts it).
    const auditPut = audit ? [this.auditPut(audit)] : [];

    if (1 + secondaryIds.length + emails.length + phones.length + auditPut.length <= this.maxTransactionActions) {
      // Every claim Delete is safe without its own condition: the version guard on the primary
      // proves that the identity (and so the set of values it owns) is the one that was read.
      await this.transact([
        {
          Update: {
            TableName: this.tables.contacts,
            Key: contactKey(primaryId),
            UpdateExpression:
              'SET deletedAt = :at, updatedAt = :at, erasedIds = :ids, ver = ver + :one REMOVE email, phoneNumber, members',
            ConditionExpression: guard.ConditionExpression,
            ExpressionAttributeValues: { ...guard.values, ':at': at, ':ids': [primaryId, ...secondaryIds] },
          },
        },
        ...secondaryIds.map((id) => ({ Update: this.eraseRowUpdate(id, at, 'attribute_exists(id)') })),
        ...emails.map((email) => ({ Delete: { TableName: this.tables.emails, Key: { email } } })),
        ...phones.map((phone) => ({ Delete: { TableName: this.tables.phones, Key: { phone } } })),
        ...auditPut,
      ]);
      return null;
    }

    // Too large for one transaction: record the work on the primary (version-guarded), then do it
    // in idempotent steps. The claims' contact ids are read first: each claim is deleted only while
    // it is still the one this identity owns, never a later claim of the same value.
    const claims: { emails: PendingErasure['emails']; phoneNumbers: PendingErasure['phoneNumbers'] } = {
      emails: [],
      phoneNumbers: [],
    };
    const keys = [
      ...emails.map((email) => ({ table: this.tables.emails, key: { email } })),
      ...phones.map((phone) => ({ table: this.tables.phones, key: { phone } })),
    ];
    for (let i = 0; i < keys.length; i += MAX_BATCH_GET_KEYS) {
      const request: Record<string, { Keys: Item[]; ConsistentRead: true }> = {};
      for (const { table, key } of keys.slice(i, i + MAX_BATCH_GET_KEYS)) {
        (request[table] ??= { Keys: [], ConsistentRead: true }).Keys.push(key);
      }
      const found = await this.batchGet(request);
      for (const item of found[this.tables.emails] ?? []) {
        claims.emails.push({ value: item.email as string, contactId: Number(item.contactId) });
      }
      for (const item of found[this.tables.phones] ?? []) {
        claims.phoneNumbers.push({ value: item.phone as string, contactId: Number(item.contactId) });
      }
    }
    const pending: PendingErasure = { at, contactIds: secondaryIds, ...claims };
    // The erasure takes effect with this write: besides the to-do list it erases the primary's own
    // row (deletedAt, no email, phone or aggregate), so lookups, listings and /identify see no
    // identity from here on. A one-action transaction (two with the audit record) rather than an
    // UpdateItem: DynamoDB isolates the two from each other anyway, but DynamoDB Local only
    // serialises transactions among themselves, and a plain update landing between a concurrent
    // transaction's condition check and its write made that transaction fail with a
    // ValidationException (list_append on the members this removes).
    await this.transact([
      {
        Update: {
          TableName: this.tables.contacts,
          Key: contactKey(primaryId),
          UpdateExpression:
            'SET erasure = :pending, deletedAt = :at, updatedAt = :at, ver = ver + :one REMOVE members, email, phoneNumber',
          ConditionExpression: guard.ConditionExpression,
          ExpressionAttributeValues: { ...guard.values, ':pending': erasureItem(pending), ':at': at },
        },
      },
      ...auditPut,
    ]);
    return pending;
  }

  /**
   * Finishes a recorded erasure, in an order that never strands personal data: the marker can only
   * be found through a claim of one of the erased values (its hint leads to the primary), so
   * 1. the rows first: each secondary gets deletedAt and loses its email and phone (every value in
   *    them is still claimed, so a request that meets one still reaches the marker and finishes);
   * 2. then the claims, a chunk at a time, each chunk in one transaction with the removal of its
   *    entries from the marker's to-do list, so a value leaves the marker exactly when its claim
   *    goes (a crash in between leaves every remaining value both claimed and listed);
   * 3. last, the primary: erasedIds, and the marker goes.
   * Every step is idempotent (a failed condition means "already done"), so any number of requests
   * may run this at once, and a crash at any point leaves work that the next one completes.
   */
  async finishErasure(primaryId: number, pending: PendingErasure): Promise<void> {
    const rows: TransactItem[] = pending.contactIds.map((id) => ({
      Update: this.eraseRowUpdate(id, pending.at, 'attribute_exists(id) AND attribute_not_exists(deletedAt)'),
    }));
    await runLimited(
      chunked(rows, this.maxTransactionActions).map((chunk) => () => this.applySteps(chunk)),
      STEP_CHUNK_PARALLELISM,
    );

    const claims = [
      ...pending.emails.map((ref) => ({ table: 'emails' as const, list: 'emails', key: { email: ref.value }, ref })),
      ...pending.phoneNumbers.map((ref) => ({ table: 'phones' as const, list: 'phoneNumbers', key: { phone: ref.value }, ref })),
    ];
    // One chunk after the other: every chunk updates the primary item, and concurrent transactions
    // on one item would only cancel each other (TransactionConflict).
    for (const chunk of chunked(claims, Math.max(1, this.maxTransactionActions - 1))) {
      const names: Record<string, string> = { '#erasure': 'erasure', '#at': 'at' };
      const paths = chunk.map((claim, i) => {
        names[`#list${i}`] = claim.list;
        names[`#slot${i}`] = claimSlot(claim.ref);
        return `#erasure.#list${i}.#slot${i}`;
      });
      await this.applySteps([
        ...chunk.map(
          (claim): TransactItem => ({
            Delete: {
              TableName: this.tables[claim.table],
              Key: claim.key,
              ConditionExpression: 'contactId = :contactId',
              ExpressionAttributeValues: { ':contactId': claim.ref.contactId },
            },
          }),
        ),
        {
          Update: {
            TableName: this.tables.contacts,
            Key: contactKey(primaryId),
            UpdateExpression: `REMOVE ${paths.join(', ')}`,
            ConditionExpression: '#erasure.#at = :at',
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: { ':at': pending.at },
          },
        },
      ]);
    }

    // Last, the primary: only once everything else is done does the marker go. Its row was erased
    // with the marker already; setting the same values again keeps this step idempotent.
    await this.update({
      TableName: this.tables.contacts,
      Key: contactKey(primaryId),
      UpdateExpression: 'SET deletedAt = :at, updatedAt = :at, erasedIds = :ids REMOVE email, phoneNumber, erasure',
      ConditionExpression: 'erasure.#at = :at',
      ExpressionAttributeNames: { '#at': 'at' },
      ExpressionAttributeValues: { ':at': pending.at, ':ids': [primaryId, ...pending.contactIds] },
    });
  }

  /** Marks one contact row erased: deletedAt, and its email and phone removed. */
  private eraseRowUpdate(id: number, at: string, condition: string) {
    return {
      TableName: this.tables.contacts,
      Key: contactKey(id),
      UpdateExpression: 'SET deletedAt = :at, updatedAt = :at REMOVE email, phoneNumber',
      ConditionExpression: condition,
      ExpressionAttributeValues: { ':at': at },
    };
  }

  /**
   * The next audit sequence number: one atomic ADD on the counter. Reserved before the action, so
   * that the record can commit in the action's own transaction; a number whose action never
   * commits (a crash, the deadline, a refused write) leaves a gap.
   */
  reserveAuditSeq(): Promise<number> {
    return this.addToCounter(AUDIT_SEQ_COUNTER, 1);
  }

  /**
   * Writes an audit record under its number unless one is there already (written by an earlier
   * attempt of the same request, possibly in the action's transaction): the first record stays.
   */
  async recordAudit(entry: AuditEntry): Promise<void> {
    await this.ignoringConflict(() => this.db.send(new PutCommand(this.auditPut(entry).Put)));
  }

  private auditPut(entry: AuditEntry) {
    const item: Item = {
      bucket: Math.floor(entry.seq / BUCKET_SIZE),
      seq: entry.seq,
      at: entry.at,
      actor: entry.actor,
      action: entry.action,
      contactIds: entry.contactIds,
      primaryContactId: entry.primaryContactId ?? undefined,
      changed: entry.changed,
      requestId: entry.requestId ?? undefined,
    };
    return {
      Put: { TableName: this.tables.audit, Item: item, ConditionExpression: 'attribute_not_exists(seq)' },
    } satisfies TransactItem;
  }

  /** Runs one write whose failed condition means "already done". */
  private async ignoringConflict(send: () => Promise<unknown>): Promise<void> {
    try {
      await call(send);
    } catch (error) {
      if (!(error instanceof WriteConflict)) throw error;
    }
  }

  // ---------------------------------------------------------------- helpers

  private putClaims(
    email: string | null,
    phoneNumber: string | null,
    contactId: number,
    primaryId: number,
  ): TransactItem[] {
    const puts: TransactItem[] = [];
    if (email !== null) {
      puts.push({
        Put: {
          TableName: this.tables.emails,
          Item: { email, contactId, primaryId },
          ConditionExpression: 'attribute_not_exists(email)',
        },
      });
    }
    if (phoneNumber !== null) {
      puts.push({
        Put: {
          TableName: this.tables.phones,
          Item: { phone: phoneNumber, contactId, primaryId },
          ConditionExpression: 'attribute_not_exists(phone)',
        },
      });
    }
    return puts;
  }

  /** Re-links a secondary of `from` to `to`; a row already re-linked fails the condition harmlessly. */
  private relinkAction(id: number, from: number, to: number, now: string) {
    return {
      Update: {
        TableName: this.tables.contacts,
        Key: contactKey(id),
        UpdateExpression: 'SET linkedId = :to, updatedAt = :now',
        ConditionExpression: 'linkedId = :from',
        ExpressionAttributeValues: { ':to': to, ':from': from, ':now': now },
      },
    } satisfies TransactItem;
  }

  /**
   * Points a claim's primary hint at `primaryId`. Outside the merge transaction (finishRelink),
   * only a hint still pointing at the absorbed primary `from` is moved: a slow helper finishing a
   * re-link that someone else already completed must not point a hint back at a primary that a
   * later merge has absorbed in turn.
   */
  private hintAction(table: 'emails' | 'phones', key: Item, primaryId: number, from?: number) {
    const keyName = table === 'emails' ? 'email' : 'phone';
    return {
      Update: {
        TableName: this.tables[table],
        Key: key,
        UpdateExpression: 'SET primaryId = :primary',
        ConditionExpression:
          from === undefined ? `attribute_exists(${keyName})` : `attribute_exists(${keyName}) AND primaryId = :from`,
        ExpressionAttributeValues:
          from === undefined ? { ':primary': primaryId } : { ':primary': primaryId, ':from': from },
      },
    } satisfies TransactItem;
  }

  /**
   * Applies idempotent conditional steps (re-links, hint moves) in one transaction. A step whose
   * condition fails is already done (by a crashed or concurrent helper, or by this transaction
   * when its response was lost): it is dropped and the rest re-sent, so every round that fails a
   * condition drops at least one step. Transient failures (TransactionConflict, throttling, lost
   * response) are re-sent after a short backoff, a bounded number of times, before giving up to
   * the request's own retry (which repairs again from the recorded re-link).
   */
  private async applySteps(steps: TransactItem[]): Promise<void> {
    let pending = steps;
    for (let transient = 0; pending.length > 0; ) {
      try {
        await this.db.send(new TransactWriteCommand({ TransactItems: pending }));
        return;
      } catch (error) {
        const reasons = error instanceof TransactionCanceledException ? (error.CancellationReasons ?? []) : [];
        const done = reasons.map((r) => r.Code === 'ConditionalCheckFailed');
        if (done.length === pending.length && done.some(Boolean)) {
          pending = pending.filter((_, i) => !done[i]);
          continue;
        }
        const translated = translate(error);
        if (translated instanceof WriteConflict) {
          // A failed condition without usable reasons: settle the steps one by one, deletes first
          // (an erasure's claim deletes come before the removal of their entries from its marker).
          await runLimited(pending.filter((s) => s.Delete).map((s) => () => this.settle(s)), STEP_PARALLELISM);
          await runLimited(pending.filter((s) => !s.Delete).map((s) => () => this.settle(s)), STEP_PARALLELISM);
          return;
        }
        if (!(translated instanceof TransientStorageError) || ++transient > STEP_RETRIES) throw translated;
        await sleep(shortBackoff(transient));
      }
    }
  }

  /** One step of applySteps on its own; a failed condition means "already done". */
  private async settle(step: TransactItem): Promise<void> {
    if (step.Update) return this.update(step.Update as UpdateCommand['input']);
    if (step.Delete) return this.ignoringConflict(() => this.db.send(new DeleteCommand(step.Delete as DeleteCommand['input'])));
    throw new Error('settle: a step is an Update or a Delete');
  }

  /** A single conditional update whose failed condition means "already done". */
  private async update(input: UpdateCommand['input']): Promise<void> {
    try {
      await call(() => this.db.send(new UpdateCommand(input)));
    } catch (error) {
      if (!(error instanceof WriteConflict)) throw error;
    }
  }

  /**
   * One TransactWriteItems under a ClientRequestToken of its own. When its outcome is unknown (the
   * response was lost, the call timed out, DynamoDB answered 5xx), the same transaction is sent
   * again with the same token: DynamoDB answers success without writing again if the first one
   * committed (tokens are honoured for 10 minutes), and otherwise runs it now, its conditions
   * checked now. Either way a success means "committed exactly once, from the state that was
   * read", so the caller's answer is exactly the state at commit, even after a lost response.
   */
  private async transact(items: TransactItem[]): Promise<void> {
    const token = randomUUID();
    const send = () =>
      call(() => this.db.send(new TransactWriteCommand({ TransactItems: items, ClientRequestToken: token })));
    try {
      await send();
    } catch (error) {
      if (!(error instanceof TransientStorageError) || error.kind !== 'unavailable') throw error;
      for (let attempt = 1; ; attempt++) {
        await sleep(shortBackoff(attempt));
        try {
          await send();
          return;
        } catch (retryError) {
          // A failed condition means the first send did not commit: the caller re-reads.
          if (!(retryError instanceof TransientStorageError) || attempt >= SAME_TOKEN_RETRIES) throw retryError;
        }
      }
    }
  }
}

// ------------------------------------------------------------------ mapping

export function contactItem(contact: Contact): Item {
  return {
    ...contactKey(contact.id),
    email: contact.email ?? undefined,
    phoneNumber: contact.phoneNumber ?? undefined,
    linkedId: contact.linkedId ?? undefined,
    linkPrecedence: contact.linkPrecedence,
    createdAt: contact.createdAt,
    updatedAt: contact.updatedAt,
    deletedAt: contact.deletedAt ?? undefined,
  };
}

export function memberItem(member: Member): Item {
  return {
    id: member.id,
    createdAt: member.createdAt,
    email: member.email ?? undefined,
    phoneNumber: member.phoneNumber ?? undefined,
  };
}

export function toContact(item: Item): Contact {
  return {
    id: Number(item.id),
    email: (item.email as string | undefined) ?? null,
    phoneNumber: (item.phoneNumber as string | undefined) ?? null,
    linkedId: item.linkedId === undefined ? null : Number(item.linkedId),
    linkPrecedence: item.linkPrecedence as Contact['linkPrecedence'],
    createdAt: item.createdAt as string,
    updatedAt: item.updatedAt as string,
    deletedAt: (item.deletedAt as string | undefined) ?? null,
  };
}

function toStoredContact(item: Item): StoredContact {
  const contact = toContact(item);
  if (contact.linkPrecedence !== 'primary') return { kind: 'secondary', contact };
  const members = ((item.members as Item[] | undefined) ?? []).map((m) => ({
    id: Number(m.id),
    createdAt: m.createdAt as string,
    email: (m.email as string | undefined) ?? null,
    phoneNumber: (m.phoneNumber as string | undefined) ?? null,
  }));
  const relink = item.relink as Item | undefined;
  return {
    kind: 'primary',
    contact,
    identity: {
      primary: contact,
      members,
      version: Number(item.ver ?? 0),
      relink: relink
        ? {
            from: Number(relink.from),
            contactIds: (relink.contactIds as unknown[]).map(Number),
            emails: relink.emails as string[],
            phoneNumbers: relink.phoneNumbers as string[],
          }
        : null,
      erasure: item.erasure ? toPendingErasure(item.erasure as Item) : null,
      ...(item.erasedIds ? { erasedIds: (item.erasedIds as unknown[]).map(Number) } : {}),
    },
  };
}

/**
 * The key of a claim in the marker's to-do maps (`erasure.emails`, `erasure.phoneNumbers`): the id
 * of the contact that claimed it. A contact introduces at most one email and one phone, so the key
 * is unique within each map, and a chunk of claim deletes removes exactly its own entries.
 */
function claimSlot(ref: ClaimRef): string {
  return `c${ref.contactId}`;
}

/** The marker as stored: the claims to delete as maps keyed by claimSlot (see finishErasure). */
function erasureItem(pending: PendingErasure): Item {
  const slots = (refs: ClaimRef[]) => {
    const map = Object.fromEntries(refs.map((ref) => [claimSlot(ref), { value: ref.value, contactId: ref.contactId }]));
    if (Object.keys(map).length !== refs.length) throw new Error('erasure: two claims of one kind by one contact');
    return map;
  };
  return { at: pending.at, contactIds: pending.contactIds, emails: slots(pending.emails), phoneNumbers: slots(pending.phoneNumbers) };
}

function toPendingErasure(item: Item): PendingErasure {
  const refs = (slots: unknown) =>
    Object.values((slots as Record<string, Item> | undefined) ?? {}).map((r) => ({
      value: r.value as string,
      contactId: Number(r.contactId),
    }));
  return {
    at: item.at as string,
    contactIds: ((item.contactIds as unknown[] | undefined) ?? []).map(Number),
    emails: refs(item.emails),
    phoneNumbers: refs(item.phoneNumbers),
  };
}

function toAuditEntry(item: Item): AuditEntry {
  return {
    seq: Number(item.seq),
    at: item.at as string,
    actor: item.actor as string,
    action: item.action as AuditEntry['action'],
    contactIds: ((item.contactIds as unknown[] | undefined) ?? []).map(Number),
    primaryContactId: item.primaryContactId === undefined ? null : Number(item.primaryContactId),
    changed: item.changed === true,
    requestId: (item.requestId as string | undefined) ?? null,
  };
}

function toClaim(item: Item, keyName: 'email' | 'phone'): Claim {
  return {
    value: item[keyName] as string,
    contactId: Number(item.contactId),
    primaryId: Number(item.primaryId),
  };
}

// ------------------------------------------------------------------ errors

const THROTTLING = new Set([
  'ThrottlingError',
  'ThrottlingException',
  'ProvisionedThroughputExceeded',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
]);
/** DynamoDB's words for a write that would pass the 400 KB item limit. */
const ITEM_TOO_LARGE = /item size .*exceeded|exceeded the maximum allowed size/i;
const CONFLICTS = new Set([
  'TransactionConflict',
  'TransactionConflictException',
  'TransactionInProgressException',
]);

/**
 * Runs one DynamoDB call and translates its failure into the port's vocabulary: WriteConflict
 * (a condition failed: nothing was written), TransientStorageError (retry after a backoff), or
 * the original error (a bug or a misconfiguration: the caller answers 500).
 */
async function call<T>(send: () => Promise<T>): Promise<T> {
  try {
    return await send();
  } catch (error) {
    throw translate(error);
  }
}

export function translate(error: unknown): unknown {
  if (error instanceof TransactionCanceledException) {
    const codes = (error.CancellationReasons ?? []).map((r) => r.Code ?? 'None');
    if (codes.includes('ConditionalCheckFailed')) return new WriteConflict('condition failed');
    if (error.CancellationReasons?.some((r) => r.Code === 'ValidationError' && ITEM_TOO_LARGE.test(r.Message ?? ''))) {
      return new IdentityTooLargeError();
    }
    if (codes.some((c) => CONFLICTS.has(c))) return new TransientStorageError('conflict', { cause: error });
    if (codes.some((c) => THROTTLING.has(c))) return new TransientStorageError('throttled', { cause: error });
    return error;
  }
  if (error instanceof ConditionalCheckFailedException) return new WriteConflict('condition failed');
  if (!(error instanceof Error)) return error;
  if (error.name === 'ValidationException' && ITEM_TOO_LARGE.test(error.message)) return new IdentityTooLargeError();
  if (THROTTLING.has(error.name)) return new TransientStorageError('throttled', { cause: error });
  if (CONFLICTS.has(error.name)) return new TransientStorageError('conflict', { cause: error });
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  const networkCode = (error as { code?: string }).code;
  if (
    (status !== undefined && status >= 500) ||
    error.name === 'TimeoutError' ||
    error.name === 'LostResponseError' ||
    (networkCode !== undefined && /^(ECONN|EPIPE|ETIMEDOUT|ENOTFOUND|EAI_AGAIN|UND_ERR)/.test(networkCode))
  ) {
    return new TransientStorageError('unavailable', { cause: error });
  }
  return error;
}

// ------------------------------------------------------------------ small utilities

/**
 * Full-jitter backoff for the store's own short retries (unprocessed keys, re-sends with the same
 * request token, re-link and erasure steps): random(0, min(200, 10 * 2^attempt)) ms. The service's
 * whole-attempt retries (lib/retry.ts) sit above these and are bounded by the request's deadline.
 */
function shortBackoff(attempt: number): number {
  return Math.random() * Math.min(200, 10 * 2 ** attempt);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function chunked<T>(items: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
  return chunks;
}

async function runLimited(tasks: Array<() => Promise<unknown>>, limit: number): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) await tasks[next++]!();
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
}
