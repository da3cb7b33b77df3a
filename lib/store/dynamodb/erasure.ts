/**
 * Erasing an identity: one version-guarded transaction when it fits, otherwise a version-guarded
 * erasure marker on the primary and idempotent steps that finish it (rows, then claims with their
 * marker entries, then the marker). Nothing else deletes personal data.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AuditEntry, Identity, PendingErasure } from '../../model';
import { emailsOf, phoneNumbersOf } from '../../reconcile';
import type { TableNames } from '../../tables';
import { auditPut, changePut, claimSlot, contactKey, erasureItem, type TransactItem } from './items';
import {
  applySteps,
  batchGet,
  chunked,
  MAX_BATCH_GET_KEYS,
  runLimited,
  STEP_CHUNK_PARALLELISM,
  transact,
  update,
  type BatchGetRequest,
} from './send';

export async function eraseIdentity(
  db: DynamoDBDocumentClient,
  tables: TableNames,
  maxTransactionActions: number,
  identity: Identity,
  at: string,
  audit?: AuditEntry,
): Promise<PendingErasure | null> {
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
  // The audit record and the change record commit with the erasure (the transaction, or the
  // marker where it takes effect): the erasure event lists every erased contact, no value.
  const auditPuts = audit ? [auditPut(tables, audit)] : [];
  const change = changePut(tables, {
    kind: 'erased',
    primaryContactId: primaryId,
    version: identity.version + 1,
    at,
    erasedContactIds: [primaryId, ...secondaryIds].sort((a, b) => a - b),
  });

  if (2 + secondaryIds.length + emails.length + phones.length + auditPuts.length <= maxTransactionActions) {
    // Every claim Delete is safe without its own condition: the version guard on the primary
    // proves that the identity (and so the set of values it owns) is the one that was read.
    await transact(db, [
      {
        Update: {
          TableName: tables.contacts,
          Key: contactKey(primaryId),
          UpdateExpression:
            'SET deletedAt = :at, updatedAt = :at, erasedIds = :ids, ver = ver + :one REMOVE email, phoneNumber, members',
          ConditionExpression: guard.ConditionExpression,
          ExpressionAttributeValues: { ...guard.values, ':at': at, ':ids': [primaryId, ...secondaryIds] },
        },
      },
      ...secondaryIds.map((id) => ({ Update: eraseRowUpdate(tables, id, at, 'attribute_exists(id)') })),
      ...emails.map((email) => ({ Delete: { TableName: tables.emails, Key: { email } } })),
      ...phones.map((phone) => ({ Delete: { TableName: tables.phones, Key: { phone } } })),
      change,
      ...auditPuts,
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
    ...emails.map((email) => ({ table: tables.emails, key: { email } })),
    ...phones.map((phone) => ({ table: tables.phones, key: { phone } })),
  ];
  for (let i = 0; i < keys.length; i += MAX_BATCH_GET_KEYS) {
    const request: BatchGetRequest = {};
    for (const { table, key } of keys.slice(i, i + MAX_BATCH_GET_KEYS)) {
      (request[table] ??= { Keys: [], ConsistentRead: true }).Keys.push(key);
    }
    const found = await batchGet(db, request);
    for (const item of found[tables.emails] ?? []) {
      claims.emails.push({ value: item.email as string, contactId: Number(item.contactId) });
    }
    for (const item of found[tables.phones] ?? []) {
      claims.phoneNumbers.push({ value: item.phone as string, contactId: Number(item.contactId) });
    }
  }
  const pending: PendingErasure = { at, contactIds: secondaryIds, ...claims };
  // The erasure takes effect with this write: besides the to-do list it erases the primary's own
  // row (deletedAt, no email, phone or aggregate), so lookups, listings and /identify see no
  // identity from here on. A transaction (with the change record and the audit record) rather than an
  // UpdateItem: DynamoDB isolates the two from each other anyway, but DynamoDB Local only
  // serialises transactions among themselves, and a plain update landing between a concurrent
  // transaction's condition check and its write made that transaction fail with a
  // ValidationException (list_append on the members this removes).
  await transact(db, [
    {
      Update: {
        TableName: tables.contacts,
        Key: contactKey(primaryId),
        UpdateExpression:
          'SET erasure = :pending, deletedAt = :at, updatedAt = :at, ver = ver + :one REMOVE members, email, phoneNumber',
        ConditionExpression: guard.ConditionExpression,
        ExpressionAttributeValues: { ...guard.values, ':pending': erasureItem(pending), ':at': at },
      },
    },
    change,
    ...auditPuts,
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
export async function finishErasure(
  db: DynamoDBDocumentClient,
  tables: TableNames,
  maxTransactionActions: number,
  primaryId: number,
  pending: PendingErasure,
): Promise<void> {
  const rows: TransactItem[] = pending.contactIds.map((id) => ({
    Update: eraseRowUpdate(tables, id, pending.at, 'attribute_exists(id) AND attribute_not_exists(deletedAt)'),
  }));
  await runLimited(
    chunked(rows, maxTransactionActions).map((chunk) => () => applySteps(db, chunk)),
    STEP_CHUNK_PARALLELISM,
  );

  const claims = [
    ...pending.emails.map((ref) => ({ table: 'emails' as const, list: 'emails', key: { email: ref.value }, ref })),
    ...pending.phoneNumbers.map((ref) => ({ table: 'phones' as const, list: 'phoneNumbers', key: { phone: ref.value }, ref })),
  ];
  // One chunk after the other: every chunk updates the primary item, and concurrent transactions
  // on one item would only cancel each other (TransactionConflict).
  for (const chunk of chunked(claims, Math.max(1, maxTransactionActions - 1))) {
    const names: Record<string, string> = { '#erasure': 'erasure', '#at': 'at' };
    const paths = chunk.map((claim, i) => {
      names[`#list${i}`] = claim.list;
      names[`#slot${i}`] = claimSlot(claim.ref);
      return `#erasure.#list${i}.#slot${i}`;
    });
    await applySteps(db, [
      ...chunk.map(
        (claim): TransactItem => ({
          Delete: {
            TableName: tables[claim.table],
            Key: claim.key,
            ConditionExpression: 'contactId = :contactId',
            ExpressionAttributeValues: { ':contactId': claim.ref.contactId },
          },
        }),
      ),
      {
        Update: {
          TableName: tables.contacts,
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
  await update(db, {
    TableName: tables.contacts,
    Key: contactKey(primaryId),
    UpdateExpression: 'SET deletedAt = :at, updatedAt = :at, erasedIds = :ids REMOVE email, phoneNumber, erasure',
    ConditionExpression: 'erasure.#at = :at',
    ExpressionAttributeNames: { '#at': 'at' },
    ExpressionAttributeValues: { ':at': pending.at, ':ids': [primaryId, ...pending.contactIds] },
  });
}

/** Marks one contact row erased: deletedAt, and its email and phone removed. */
function eraseRowUpdate(tables: TableNames, id: number, at: string, condition: string) {
  return {
    TableName: tables.contacts,
    Key: contactKey(id),
    UpdateExpression: 'SET deletedAt = :at, updatedAt = :at REMOVE email, phoneNumber',
    ConditionExpression: condition,
    ExpressionAttributeValues: { ':at': at },
  };
}
