/**
 * Seeds identities directly into the tables, fast (BatchWriteItem), writing exactly the items the
 * service writes when it receives the same requests one after another (test/concurrency/
 * seed.test.ts proves that by comparing both, row for row). Large identities (hundreds of
 * contacts) would otherwise take seconds per identity to build through the service.
 */
import { BatchWriteCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { contactKey } from '../lib/store/dynamodb';
import type { TableNames } from '../lib/tables';

export interface SeedContact {
  email: string | null;
  phoneNumber: string | null;
}

export interface SeededIdentity {
  primaryId: number;
  /** Ids in creation order: the primary first. */
  ids: number[];
  contacts: SeedContact[];
}

type Item = Record<string, unknown>;

/**
 * One identity built from `contacts` in order: the first becomes the primary, every later one a
 * secondary that must bring a value the identity does not have yet (as SPEC rule 2 would create
 * it). Values must not belong to any other identity. Ids are reserved from the id counter, as the
 * service reserves them; createdAt of contact i is `startAt + i` ms.
 */
export async function seedIdentity(
  db: DynamoDBDocumentClient,
  tables: TableNames,
  contacts: readonly SeedContact[],
  startAt: Date,
): Promise<SeededIdentity> {
  if (contacts.length === 0) throw new Error('seedIdentity: no contacts');
  const out = await db.send(
    new UpdateCommand({
      TableName: tables.counters,
      Key: { name: 'contactId' },
      UpdateExpression: 'ADD #value :size',
      ExpressionAttributeNames: { '#value': 'value' },
      ExpressionAttributeValues: { ':size': contacts.length },
      ReturnValues: 'UPDATED_NEW',
    }),
  );
  const end = Number(out.Attributes!.value);
  const ids = contacts.map((_, i) => end - contacts.length + 1 + i);
  const primaryId = ids[0]!;
  const at = (i: number) => new Date(startAt.getTime() + i).toISOString();

  const emails = new Map<string, number>();
  const phones = new Map<string, number>();
  const contactItems: Item[] = [];
  const members: Item[] = [];
  contacts.forEach((c, i) => {
    const id = ids[i]!;
    const bringsNew =
      (c.email !== null && !emails.has(c.email)) || (c.phoneNumber !== null && !phones.has(c.phoneNumber));
    if (!bringsNew) throw new Error(`seedIdentity: contact ${i} brings no new value`);
    if (c.email !== null && !emails.has(c.email)) emails.set(c.email, id);
    if (c.phoneNumber !== null && !phones.has(c.phoneNumber)) phones.set(c.phoneNumber, id);
    const item: Item = {
      ...contactKey(id),
      ...(c.email !== null ? { email: c.email } : {}),
      ...(c.phoneNumber !== null ? { phoneNumber: c.phoneNumber } : {}),
      ...(i > 0 ? { linkedId: primaryId } : {}),
      linkPrecedence: i === 0 ? 'primary' : 'secondary',
      createdAt: at(i),
      updatedAt: at(i),
    };
    contactItems.push(item);
    if (i > 0) {
      members.push({
        id,
        createdAt: at(i),
        ...(c.email !== null ? { email: c.email } : {}),
        ...(c.phoneNumber !== null ? { phoneNumber: c.phoneNumber } : {}),
      });
    }
  });
  contactItems[0] = { ...contactItems[0], members, ver: contacts.length };

  await batchPut(db, [
    ...contactItems.map((item) => ({ table: tables.contacts, item })),
    ...[...emails].map(([email, contactId]) => ({ table: tables.emails, item: { email, contactId, primaryId } })),
    ...[...phones].map(([phone, contactId]) => ({ table: tables.phones, item: { phone, contactId, primaryId } })),
  ]);
  return { primaryId, ids, contacts: [...contacts] };
}

/** `count` contacts sharing one phone, each with its own email: a reseller's identity. */
export function sharedPhoneContacts(prefix: string, phone: string, count: number): SeedContact[] {
  return Array.from({ length: count }, (_, i) => ({ email: `${prefix}${i}@seed.test`, phoneNumber: phone }));
}

async function batchPut(db: DynamoDBDocumentClient, puts: Array<{ table: string; item: Item }>): Promise<void> {
  const chunks: Array<typeof puts> = [];
  for (let i = 0; i < puts.length; i += 25) chunks.push(puts.slice(i, i + 25));
  const writeChunk = async (chunk: typeof puts) => {
    let request: Record<string, any[]> = {};
    for (const { table, item } of chunk) (request[table] ??= []).push({ PutRequest: { Item: item } });
    for (let round = 0; Object.keys(request).length > 0; round++) {
      if (round === 10) throw new Error('seed: unprocessed items');
      const out = await db.send(new BatchWriteCommand({ RequestItems: request }));
      request = (out.UnprocessedItems ?? {}) as Record<string, any[]>;
    }
  };
  for (let i = 0; i < chunks.length; i += 4) await Promise.all(chunks.slice(i, i + 4).map(writeChunk));
}
