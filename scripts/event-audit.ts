/**
 * The change-event check of `npm run stress`: compares the events the local pipeline delivered
 * (the NDJSON file, lib/local/events.ts) with the change records committed in the Changes table and
 * with the contacts stored. Counts missing events (a committed change without its event),
 * duplicates (an eventId delivered twice), strays (an event without a committed change), version
 * gaps per identity, and contacts that no identity.created / identity.contactAdded announced.
 * No HTTP and no stream reading here.
 */
import { ScanCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { readFileSync } from 'node:fs';
import { eventIdOf, type ChangeEvent } from '../lib/events/change';
import type { TableNames } from '../lib/tables';

export interface EventReport {
  changes: number;
  delivered: number;
  missing: number;
  duplicates: number;
  strays: number;
  versionGaps: number;
  unannounced: number;
  problems: string[];
}

async function scanAll(db: DynamoDBDocumentClient, table: string): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await db.send(new ScanCommand({ TableName: table, ExclusiveStartKey: start, ConsistentRead: true }));
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}

export function readEventsFile(file: string): ChangeEvent[] {
  return readFileSync(file, { encoding: 'utf8', flag: 'a+' })
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => (JSON.parse(line) as { detail: ChangeEvent }).detail);
}

/** `seededIds`: contacts written straight into the tables (no change record, no event expected). */
export async function auditEvents(
  db: DynamoDBDocumentClient,
  tables: TableNames,
  events: ChangeEvent[],
  seededIds: ReadonlySet<number> = new Set(),
): Promise<EventReport> {
  const problems: string[] = [];
  const note = (p: string) => problems.length < 20 && problems.push(p);
  const changes = await scanAll(db, tables.changes);
  const expected = new Map(changes.map((c) => [eventIdOf(Number(c.identityId), Number(c.version)), c]));
  const seen = new Map<string, number>();
  for (const e of events) seen.set(e.eventId, (seen.get(e.eventId) ?? 0) + 1);
  let missing = 0;
  for (const [id, c] of expected) {
    if (!seen.has(id)) {
      missing++;
      note(`missing event: ${String(c.kind)} of identity ${String(c.identityId)} v${String(c.version)}`);
    }
  }
  const duplicates = [...seen.values()].reduce((sum, n) => sum + (n - 1), 0);
  if (duplicates > 0) note(`${duplicates} duplicate deliveries`);
  const strays = [...seen.keys()].filter((id) => !expected.has(id)).length;
  if (strays > 0) note(`${strays} events without a committed change`);

  // Per identity, the versions of its changes are 1, 2, 3, ... (seeded identities start higher).
  let versionGaps = 0;
  const byIdentity = new Map<number, number[]>();
  for (const c of changes) byIdentity.set(Number(c.identityId), [...(byIdentity.get(Number(c.identityId)) ?? []), Number(c.version)]);
  for (const [identity, versions] of byIdentity) {
    versions.sort((a, b) => a - b);
    const first = seededIds.has(identity) ? versions[0]! : 1;
    versions.forEach((v, i) => {
      if (v !== first + i) {
        versionGaps++;
        note(`identity ${identity}: version ${first + i} has no change`);
      }
    });
  }

  // Every contact a request created is announced exactly once.
  const announced = new Set<number>();
  for (const e of events) {
    if (e.type === 'identity.created') announced.add(e.primaryContactId);
    if (e.type === 'identity.contactAdded') announced.add(e.contactId);
  }
  const contacts = await scanAll(db, tables.contacts);
  const unannounced = contacts.filter((c) => !seededIds.has(Number(c.id)) && !announced.has(Number(c.id))).length;
  if (unannounced > 0) note(`${unannounced} contacts without identity.created or identity.contactAdded`);
  return { changes: changes.length, delivered: events.length, missing, duplicates, strays, versionGaps, unannounced, problems };
}
