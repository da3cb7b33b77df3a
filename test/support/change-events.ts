/**
 * The change events of a test's tables, read for real: the Changes table's stream on DynamoDB
 * Local, through the local stream poller and the same handler code as the Lambda, into the local
 * NDJSON sink (a temp file). `events()` waits until the stream is drained and answers every event
 * published so far, read back from the file. Also the fold that checks a list of events against
 * the final tables: exactly one event per committed change, nothing for a change that did not commit.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { ChangeEvent } from '../../lib/events/change';
import { startLocalEvents, type LocalEvents } from '../../lib/local/events';
import type { EventEnvelope } from '../../lib/local/event-sink';
import type { TestTables } from './dynamo';
import type { TableSnapshot } from './snapshot';

export interface EventWatch {
  local: LocalEvents;
  /** Every event published so far, in file order, once the stream has been read to its end. */
  events(): Promise<ChangeEvent[]>;
  stop(): Promise<void>;
}

export async function watchEvents(t: TestTables, options: { idleMs?: number } = {}): Promise<EventWatch> {
  const dir = mkdtempSync(join(tmpdir(), 'fluxkart-events-test-'));
  const errors: unknown[] = [];
  const local = await startLocalEvents({ endpoint: t.endpoint, tables: t.tables, dataDir: dir, onError: (_m, e) => errors.push(e), ...options });
  return {
    local,
    async events() {
      await local.poller.idle();
      expect(errors, 'no stream or handler errors').toEqual([]);
      const text = readFileSync(local.file, { encoding: 'utf8', flag: 'a+' });
      return text
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => (JSON.parse(line) as EventEnvelope).detail);
    },
    async stop() {
      await local.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Replays the events and compares the result with the final tables:
 * - no event id twice; per identity the versions are 1, 2, 3, ... without a gap;
 * - every contact row was announced exactly once (identity.created or identity.contactAdded);
 * - a merge moves exactly the absorbed identity's contacts, an erasure lists exactly the identity's;
 * - the identities the events describe are the live identities in the tables (primary and members),
 *   with the same version, and the erased contacts are exactly the rows with deletedAt.
 */
export function checkEventsAgainst(events: ChangeEvent[], s: TableSnapshot): void {
  expect(new Set(events.map((e) => e.eventId)).size, 'no duplicate event ids').toBe(events.length);
  const identities = new Map<number, { contacts: Set<number>; version: number }>();
  const announced = new Set<number>();
  const erased = new Set<number>();
  const lastVersion = new Map<number, number>();
  for (const e of events) {
    expect(e.version, `version of ${e.type} of ${e.primaryContactId}`).toBe((lastVersion.get(e.primaryContactId) ?? 0) + 1);
    lastVersion.set(e.primaryContactId, e.version);
    const identity = identities.get(e.primaryContactId);
    switch (e.type) {
      case 'identity.created':
        expect(identity, `created twice: ${e.primaryContactId}`).toBeUndefined();
        expect(announced.has(e.primaryContactId)).toBe(false);
        announced.add(e.primaryContactId);
        identities.set(e.primaryContactId, { contacts: new Set([e.primaryContactId]), version: e.version });
        break;
      case 'identity.contactAdded':
        expect(identity, `contact added to unknown identity ${e.primaryContactId}`).toBeDefined();
        expect(announced.has(e.contactId), `contact ${e.contactId} announced twice`).toBe(false);
        announced.add(e.contactId);
        identity!.contacts.add(e.contactId);
        identity!.version = e.version;
        break;
      case 'identity.merged': {
        const absorbed = identities.get(e.absorbedPrimaryContactId);
        expect(identity && absorbed, `merge of ${e.absorbedPrimaryContactId} into ${e.primaryContactId}`).toBeTruthy();
        expect(e.movedContactIds).toEqual([...absorbed!.contacts].sort((a, b) => a - b));
        for (const id of e.movedContactIds) identity!.contacts.add(id);
        identities.delete(e.absorbedPrimaryContactId);
        identity!.version = e.version;
        break;
      }
      case 'identity.erased':
        expect(identity, `erasure of unknown identity ${e.primaryContactId}`).toBeDefined();
        expect(e.erasedContactIds).toEqual([...identity!.contacts].sort((a, b) => a - b));
        for (const id of e.erasedContactIds) erased.add(id);
        identities.delete(e.primaryContactId);
        break;
    }
  }
  const rows = s.contacts;
  expect([...announced].sort((a, b) => a - b), 'every contact announced once').toEqual(
    rows.map((c) => Number(c.id)).sort((a, b) => a - b),
  );
  expect([...erased].sort((a, b) => a - b), 'erased contacts').toEqual(
    rows.filter((c) => c.deletedAt !== undefined).map((c) => Number(c.id)).sort((a, b) => a - b),
  );
  const live = rows.filter((c) => c.linkPrecedence === 'primary' && c.deletedAt === undefined);
  expect([...identities.keys()].sort((a, b) => a - b), 'live identities').toEqual(live.map((c) => Number(c.id)).sort((a, b) => a - b));
  for (const p of live) {
    const folded = identities.get(Number(p.id))!;
    const members = [Number(p.id), ...(p.members as { id: number }[]).map((m) => Number(m.id))].sort((a, b) => a - b);
    expect([...folded.contacts].sort((a, b) => a - b), `identity ${p.id}`).toEqual(members);
    expect(folded.version, `version of identity ${p.id}`).toBe(Number(p.ver));
  }
}
