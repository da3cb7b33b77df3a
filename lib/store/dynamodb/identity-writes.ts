/**
 * The writes of /identify and of a merge: a new primary with its claims, a new secondary appended
 * to its identity under the version guard, a merge in one transaction (with as many re-links and
 * claim hints as fit), and the finishing of a recorded re-link. Each change commits together with
 * its change record (Changes table, lib/events/change.ts). No reads and no erasure here.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { contactValues, type ContactValueMode } from '../../events/change';
import type { AuditEntry, Contact, Identity, PendingRelink } from '../../model';
import type { MergeResult } from '../../reconcile';
import type { TableNames } from '../../tables';
import { auditPut, changePut, contactItem, contactKey, memberItem, type Item, type TransactItem } from './items';
import { applySteps, chunked, runLimited, STEP_CHUNK_PARALLELISM, transact, update } from './send';

export async function createPrimary(
  db: DynamoDBDocumentClient,
  tables: TableNames,
  identity: Identity,
  values: ContactValueMode,
): Promise<void> {
  const { primary } = identity;
  const items: TransactItem[] = [
    {
      Put: {
        TableName: tables.contacts,
        Item: { ...contactItem(primary), members: [], ver: identity.version },
        ConditionExpression: 'attribute_not_exists(id)',
      },
    },
    ...putClaims(tables, primary.email, primary.phoneNumber, primary.id, primary.id),
    changePut(tables, {
      kind: 'created',
      primaryContactId: primary.id,
      version: identity.version,
      at: primary.createdAt,
      values: contactValues(primary.email, primary.phoneNumber, values),
    }),
  ];
  await transact(db, items);
}

export async function addSecondary(
  db: DynamoDBDocumentClient,
  tables: TableNames,
  before: Identity,
  contact: Contact,
  claims: { email: string | null; phoneNumber: string | null },
  values: ContactValueMode,
): Promise<void> {
  const primaryId = before.primary.id;
  await transact(db, [
    {
      Put: {
        TableName: tables.contacts,
        Item: contactItem(contact),
        ConditionExpression: 'attribute_not_exists(id)',
      },
    },
    ...putClaims(tables, claims.email, claims.phoneNumber, contact.id, primaryId),
    {
      Update: {
        TableName: tables.contacts,
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
    changePut(tables, {
      kind: 'contactAdded',
      primaryContactId: primaryId,
      version: before.version + 1,
      at: contact.createdAt,
      contactId: contact.id,
      values: contactValues(contact.email, contact.phoneNumber, values),
    }),
  ]);
}

export async function merge(
  db: DynamoDBDocumentClient,
  tables: TableNames,
  maxTransactionActions: number,
  winner: Identity,
  loser: Identity,
  result: MergeResult,
  audit?: AuditEntry,
): Promise<PendingRelink | null> {
  const winnerId = winner.primary.id;
  const loserId = loser.primary.id;
  const { demoted } = result;

  // Re-links and claim hints go into the same transaction as far as it has room (besides the two
  // primaries, the change record and an admin merge's audit record); the rest is recorded on the
  // winner and finished by finishRelink (here, or by whoever comes next). The change record lists
  // every contact that moves, so the one merge event is complete however the re-linking finishes.
  const auditPuts = audit ? [auditPut(tables, audit)] : [];
  const room = Math.max(0, maxTransactionActions - 3 - auditPuts.length);
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
  const hasPending = pending.contactIds.length + pending.emails.length + pending.phoneNumbers.length > 0;

  const moved = result.identity.members.slice(winner.members.length).map(memberItem);
  await transact(db, [
    {
      Update: {
        TableName: tables.contacts,
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
        TableName: tables.contacts,
        Key: contactKey(loserId),
        UpdateExpression: 'SET linkedId = :winner, linkPrecedence = :secondary, updatedAt = :now REMOVE members, ver',
        ConditionExpression: 'ver = :ver AND attribute_not_exists(relink)',
        ExpressionAttributeValues: {
          ':winner': winnerId,
          ':secondary': 'secondary',
          ':now': demoted.updatedAt,
          ':ver': loser.version,
        },
      },
    },
    ...relinkNow.map((id) => relinkAction(tables, id, loserId, winnerId, demoted.updatedAt)),
    ...emailsNow.map((email) => hintAction(tables, 'emails', { email }, winnerId)),
    ...phonesNow.map((phone) => hintAction(tables, 'phones', { phone }, winnerId)),
    changePut(tables, {
      kind: 'merged',
      primaryContactId: winnerId,
      version: winner.version + 1,
      at: demoted.updatedAt,
      absorbedPrimaryContactId: loserId,
      movedContactIds: [loserId, ...loser.members.map((m) => m.id)].sort((a, b) => a - b),
    }),
    // An admin merge's audit record commits with the merge itself, or not at all.
    ...auditPuts,
  ]);
  return hasPending ? pending : null;
}

export async function finishRelink(
  db: DynamoDBDocumentClient,
  tables: TableNames,
  maxTransactionActions: number,
  primaryId: number,
  pending: PendingRelink,
): Promise<void> {
  const now = new Date().toISOString();
  const actions = [
    ...pending.contactIds.map((id) => relinkAction(tables, id, pending.from, primaryId, now)),
    ...pending.emails.map((email) => hintAction(tables, 'emails', { email }, primaryId, pending.from)),
    ...pending.phoneNumbers.map((phone) => hintAction(tables, 'phones', { phone }, primaryId, pending.from)),
  ];
  // The steps go in transactions of up to maxTransactionActions conditional updates (one round
  // trip per chunk instead of one per row). A crash between chunks leaves the record for the
  // next request to finish.
  await runLimited(
    chunked<TransactItem>(actions, maxTransactionActions).map((chunk) => () => applySteps(db, chunk)),
    STEP_CHUNK_PARALLELISM,
  );
  await update(db, {
    TableName: tables.contacts,
    Key: contactKey(primaryId),
    UpdateExpression: 'REMOVE relink',
    ConditionExpression: 'relink.#from = :from',
    ExpressionAttributeNames: { '#from': 'from' },
    ExpressionAttributeValues: { ':from': pending.from },
  });
}

function putClaims(
  tables: TableNames,
  email: string | null,
  phoneNumber: string | null,
  contactId: number,
  primaryId: number,
): TransactItem[] {
  const puts: TransactItem[] = [];
  if (email !== null) {
    puts.push({
      Put: {
        TableName: tables.emails,
        Item: { email, contactId, primaryId },
        ConditionExpression: 'attribute_not_exists(email)',
      },
    });
  }
  if (phoneNumber !== null) {
    puts.push({
      Put: {
        TableName: tables.phones,
        Item: { phone: phoneNumber, contactId, primaryId },
        ConditionExpression: 'attribute_not_exists(phone)',
      },
    });
  }
  return puts;
}

/** Re-links a secondary of `from` to `to`; a row already re-linked fails the condition harmlessly. */
function relinkAction(tables: TableNames, id: number, from: number, to: number, now: string) {
  return {
    Update: {
      TableName: tables.contacts,
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
function hintAction(tables: TableNames, table: 'emails' | 'phones', key: Item, primaryId: number, from?: number) {
  const keyName = table === 'emails' ? 'email' : 'phone';
  return {
    Update: {
      TableName: tables[table],
      Key: key,
      UpdateExpression: 'SET primaryId = :primary',
      ConditionExpression:
        from === undefined ? `attribute_exists(${keyName})` : `attribute_exists(${keyName}) AND primaryId = :from`,
      ExpressionAttributeValues:
        from === undefined ? { ':primary': primaryId } : { ':primary': primaryId, ':from': from },
    },
  } satisfies TransactItem;
}
