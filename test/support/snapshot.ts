/**
 * Whole-table reads of a test's tables, and the SPEC's data invariants checked on them
 * (SPEC.md "Vocabulary" and "Concurrency contract").
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { expect } from 'vitest';
import type { TableNames } from '../../lib/tables';

type Item = Record<string, any>;

export interface TableSnapshot {
  contacts: Item[];
  emails: Item[];
  phones: Item[];
  counters: Item[];
}

let client: DynamoDBDocumentClient | undefined;

function db(endpoint: string): DynamoDBDocumentClient {
  client ??= DynamoDBDocumentClient.from(
    new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }),
  );
  return client;
}

async function scanAll(endpoint: string, table: string): Promise<Item[]> {
  const items: Item[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await db(endpoint).send(new ScanCommand({ TableName: table, ConsistentRead: true, ExclusiveStartKey: start }));
    items.push(...((page.Items ?? []) as Item[]));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}

/** Every item of every table, sorted by key so that two snapshots compare with toEqual. */
export async function snapshot(t: { endpoint: string; tables: TableNames }): Promise<TableSnapshot> {
  const [contacts, emails, phones, counters] = await Promise.all([
    scanAll(t.endpoint, t.tables.contacts),
    scanAll(t.endpoint, t.tables.emails),
    scanAll(t.endpoint, t.tables.phones),
    scanAll(t.endpoint, t.tables.counters),
  ]);
  contacts.sort((a, b) => Number(a.id) - Number(b.id));
  emails.sort((a, b) => String(a.email).localeCompare(String(b.email)));
  phones.sort((a, b) => String(a.phone).localeCompare(String(b.phone)));
  return { contacts, emails, phones, counters };
}

/** Makes the next contact id allocated by a store with ID_BLOCK_SIZE 1 equal to `nextId`. */
export async function setNextContactId(t: { endpoint: string; tables: TableNames }, nextId: number): Promise<void> {
  await db(t.endpoint).send(
    new PutCommand({ TableName: t.tables.counters, Item: { name: 'contactId', value: nextId - 1 } }),
  );
}

export interface IdentitySummary {
  primaryId: number;
  contactIds: number[];
  emails: Set<string>;
  phones: Set<string>;
}

/**
 * Checks the SPEC's invariants on a snapshot taken while nothing is in flight, and returns the
 * identities (connected components of contacts sharing an email or a phone, or linked by a
 * merge, which joins two identities without creating a contact):
 * - every identity has exactly one primary, the oldest contact (createdAt, then id);
 * - every secondary's linkedId is its identity's primary; a primary has no linkedId;
 * - every value is claimed exactly once, by a contact of the identity that holds the value,
 *   and the claim's primary hint is that identity's primary;
 * - the primary's aggregate lists exactly the identity's secondaries, and no merge is pending.
 */
export function checkInvariants(s: TableSnapshot): IdentitySummary[] {
  const live = s.contacts.filter((c) => c.deletedAt === undefined);
  const byId = new Map<number, Item>(live.map((c) => [Number(c.id), c]));
  expect(byId.size).toBe(live.length);

  // Union-find over shared values.
  const parent = new Map<number, number>([...byId.keys()].map((id) => [id, id]));
  const find = (id: number): number => {
    while (parent.get(id) !== id) id = parent.get(id)!;
    return id;
  };
  const firstWith = new Map<string, number>();
  for (const c of live) {
    for (const key of [c.email !== undefined ? `e:${c.email}` : null, c.phoneNumber !== undefined ? `p:${c.phoneNumber}` : null]) {
      if (key === null) continue;
      const other = firstWith.get(key);
      if (other === undefined) firstWith.set(key, Number(c.id));
      else parent.set(find(Number(c.id)), find(other));
    }
    // A merge links two identities without a contact that shares values with both.
    if (c.linkedId !== undefined && byId.has(Number(c.linkedId))) parent.set(find(Number(c.id)), find(Number(c.linkedId)));
  }
  const groups = new Map<number, Item[]>();
  for (const c of live) {
    const root = find(Number(c.id));
    groups.set(root, [...(groups.get(root) ?? []), c]);
  }

  const identities: IdentitySummary[] = [];
  const identityOf = new Map<number, IdentitySummary>();
  for (const members of groups.values()) {
    const primaries = members.filter((c) => c.linkPrecedence === 'primary');
    expect(primaries, `identity of contacts ${members.map((c) => c.id)} has exactly one primary`).toHaveLength(1);
    const p = primaries[0]!;
    const oldest = [...members].sort((a, b) =>
      a.createdAt === b.createdAt ? Number(a.id) - Number(b.id) : a.createdAt < b.createdAt ? -1 : 1,
    )[0]!;
    expect(Number(p.id), 'the primary is the oldest contact').toBe(Number(oldest.id));
    expect(p.linkedId, 'a primary has no linkedId').toBeUndefined();
    expect(p.relink, 'no merge left pending').toBeUndefined();
    const secondaries = members.filter((c) => c !== p);
    for (const c of secondaries) {
      expect(c.linkPrecedence).toBe('secondary');
      expect(Number(c.linkedId), `secondary ${c.id} links directly to the primary`).toBe(Number(p.id));
      expect(c.members, 'a secondary carries no aggregate').toBeUndefined();
    }
    expect(
      (p.members as Item[]).map((m) => Number(m.id)).sort((a, b) => a - b),
      "the primary's aggregate lists exactly its secondaries",
    ).toEqual(secondaries.map((c) => Number(c.id)).sort((a, b) => a - b));
    const summary: IdentitySummary = {
      primaryId: Number(p.id),
      contactIds: members.map((c) => Number(c.id)).sort((a, b) => a - b),
      emails: new Set(members.filter((c) => c.email !== undefined).map((c) => c.email as string)),
      phones: new Set(members.filter((c) => c.phoneNumber !== undefined).map((c) => c.phoneNumber as string)),
    };
    identities.push(summary);
    for (const c of members) identityOf.set(Number(c.id), summary);
  }

  const checkClaims = (claims: Item[], keyName: 'email' | 'phone', field: 'email' | 'phoneNumber') => {
    const values = new Set(live.filter((c) => c[field] !== undefined).map((c) => c[field] as string));
    expect(new Set(claims.map((c) => c[keyName])), `every ${field} is claimed, and only those`).toEqual(values);
    for (const claim of claims) {
      const owner = byId.get(Number(claim.contactId));
      expect(owner, `the claim of ${keyName} belongs to a live contact`).toBeDefined();
      expect(owner![field], 'the claiming contact carries the value').toBe(claim[keyName]);
      const id = identityOf.get(Number(claim.contactId))!;
      expect(Number(claim.primaryId), "the claim's hint is its identity's primary").toBe(id.primaryId);
    }
  };
  checkClaims(s.emails, 'email', 'email');
  checkClaims(s.phones, 'phone', 'phoneNumber');
  return identities;
}
