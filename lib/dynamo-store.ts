/**
 * The DynamoDB adapter of the storage port (lib/store.ts): every DynamoDB read and write of the
 * identity service is in this file, together with the item layout.
 *
 * Items
 * - Contacts  {bucket, id, email?, phoneNumber?, linkedId?, linkPrecedence, createdAt, updatedAt,
 *              deletedAt?} and, on a primary only, the identity aggregate:
 *              members [{id, createdAt, email?, phoneNumber?}] (its secondaries), ver (version),
 *              relink? (a merge's unfinished re-linking).
 * - ContactEmails {email, contactId, primaryId}, ContactPhones {phone, contactId, primaryId}:
 *              the unique claim of a value. contactId never changes; primaryId is a hint that
 *              merges refresh and readers verify by following linkedId.
 * - Counters  {name: "contactId", value}: the high-water mark of reserved id blocks.
 */
import {
  ConditionalCheckFailedException,
  TransactionCanceledException,
} from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  TransactWriteCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
  type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { TransientStorageError, WriteConflict } from './errors';
import type { Claim, Contact, Identity, Member, PendingRelink, StoredContact } from './model';
import type { MergeResult } from './reconcile';
import type { ClaimPair, ContactStore } from './store';
import type { TableNames } from './tables';

/** Ids per item collection of the Contacts table. */
export const BUCKET_SIZE = 1000;
/** DynamoDB's limit of actions in one TransactWriteItems. */
export const MAX_TRANSACTION_ACTIONS = 100;
/** DynamoDB's limit of keys in one BatchGetItem. */
const MAX_BATCH_GET_KEYS = 100;
/** Parallel single-item writes when finishing a large re-link. */
const RELINK_PARALLELISM = 16;
const CONTACT_ID_COUNTER = 'contactId';

type Item = Record<string, unknown>;
type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

export function contactKey(id: number): { bucket: number; id: number } {
  return { bucket: Math.floor(id / BUCKET_SIZE), id };
}

export class DynamoContactStore implements ContactStore {
  private idBlock: { next: number; end: number } = { next: 0, end: 0 };
  private refill: Promise<void> | null = null;

  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tables: TableNames,
    private readonly idBlockSize: number,
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
      if (round > 0) await sleep(Math.random() * 10 * 2 ** round);
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
    const out = await call(() =>
      this.db.send(
        new UpdateCommand({
          TableName: this.tables.counters,
          Key: { name: CONTACT_ID_COUNTER },
          UpdateExpression: 'ADD #value :size',
          ExpressionAttributeNames: { '#value': 'value' },
          ExpressionAttributeValues: { ':size': this.idBlockSize },
          ReturnValues: 'UPDATED_NEW',
        }),
      ),
    );
    const end = Number(out.Attributes?.value);
    this.idBlock = { next: end - this.idBlockSize + 1, end };
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

  async merge(winner: Identity, loser: Identity, result: MergeResult): Promise<PendingRelink | null> {
    const winnerId = winner.primary.id;
    const loserId = loser.primary.id;
    const { demoted } = result;

    // Re-links and claim hints go into the same transaction as far as it has room; the rest is
    // recorded on the winner and finished by finishRelink (here, or by whoever comes next).
    const room = MAX_TRANSACTION_ACTIONS - 2;
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
    ]);
    return hasPending ? pending : null;
  }

  async finishRelink(primaryId: number, pending: PendingRelink): Promise<void> {
    const now = new Date().toISOString();
    const writes: Array<() => Promise<unknown>> = [
      ...pending.contactIds.map((id) => () => this.update(this.relinkAction(id, pending.from, primaryId, now).Update!)),
      ...pending.emails.map((email) => () => this.update(this.hintAction('emails', { email }, primaryId).Update!)),
      ...pending.phoneNumbers.map((phone) => () => this.update(this.hintAction('phones', { phone }, primaryId).Update!)),
    ];
    await runLimited(writes, RELINK_PARALLELISM);
    await this.update({
      TableName: this.tables.contacts,
      Key: contactKey(primaryId),
      UpdateExpression: 'REMOVE relink',
      ConditionExpression: 'relink.#from = :from',
      ExpressionAttributeNames: { '#from': 'from' },
      ExpressionAttributeValues: { ':from': pending.from },
    });
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

  /** Points a claim's primary hint at `primaryId`. */
  private hintAction(table: 'emails' | 'phones', key: Item, primaryId: number) {
    const keyName = table === 'emails' ? 'email' : 'phone';
    return {
      Update: {
        TableName: this.tables[table],
        Key: key,
        UpdateExpression: 'SET primaryId = :primary',
        ConditionExpression: `attribute_exists(${keyName})`,
        ExpressionAttributeValues: { ':primary': primaryId },
      },
    } satisfies TransactItem;
  }

  /** A single conditional update whose failed condition means "already done". */
  private async update(input: UpdateCommand['input']): Promise<void> {
    try {
      await call(() => this.db.send(new UpdateCommand(input)));
    } catch (error) {
      if (!(error instanceof WriteConflict)) throw error;
    }
  }

  private async transact(items: TransactItem[]): Promise<void> {
    await call(() => this.db.send(new TransactWriteCommand({ TransactItems: items })));
  }
}

// ------------------------------------------------------------------ mapping

function contactItem(contact: Contact): Item {
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

function memberItem(member: Member): Item {
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
    },
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
    if (codes.some((c) => CONFLICTS.has(c))) return new TransientStorageError('conflict', { cause: error });
    if (codes.some((c) => THROTTLING.has(c))) return new TransientStorageError('throttled', { cause: error });
    return error;
  }
  if (error instanceof ConditionalCheckFailedException) return new WriteConflict('condition failed');
  if (!(error instanceof Error)) return error;
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

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function runLimited(tasks: Array<() => Promise<unknown>>, limit: number): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) await tasks[next++]!();
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
}
