/**
 * Change events end to end on real parts: identify, merge and erase requests against DynamoDB
 * Local, the Changes table's stream read through @aws-sdk/client-dynamodb-streams by the local
 * poller, the same handler code as the Lambda, the local NDJSON sink. Asserts the exact events,
 * and exactly one event per committed change (none for a change that did not commit) under
 * injected conflicts, lost responses and crashes at every write of a large merge.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { contactValues, eventIdOf, sha256, type ChangeEvent } from '../../lib/events/change';
import type { IdentifyRequest } from '../../lib/validation';
import { ADMIN, adminInstance, deadline } from '../admin/helpers';
import { checkEventsAgainst, watchEvents, type EventWatch } from '../support/change-events';
import { createTestTables, type TestTables } from '../support/dynamo';
import { instance, seededRandom, SimulatedCrash, steppingClock } from '../support/instances';
import { snapshot } from '../support/snapshot';

const req = (email: string | null, phoneNumber: string | null): IdentifyRequest => ({ email, phoneNumber });

let watches: EventWatch[] = [];
afterEach(async () => {
  await Promise.all(watches.map((w) => w.stop()));
  watches = [];
});

async function setup(): Promise<{ t: TestTables; watch: EventWatch }> {
  const t = await createTestTables();
  const watch = await watchEvents(t);
  watches.push(watch);
  return { t, watch };
}

async function row(t: TestTables, id: number) {
  return (await snapshot(t)).contacts.find((c) => Number(c.id) === id)!;
}

describe('change events from the Changes stream', () => {
  it('derives exactly one event per identify, merge and erase, with stable ids, times and versions', async () => {
    const { t, watch } = await setup();
    const { service, admin, destroy } = adminInstance(t, { clock: steppingClock(), idBlockSize: 1 });
    await service.identify(req('lorraine@hillvalley.edu', '123456'), deadline()); // 1 created
    await service.identify(req('mcfly@hillvalley.edu', '123456'), deadline()); // 2 added to 1
    await service.identify(req('lorraine@hillvalley.edu', '123456'), deadline()); // known: nothing
    await service.identify(req('biff@hillvalley.edu', '717171'), deadline()); // 3 created
    await service.identify(req('george@hillvalley.edu', '919191'), deadline()); // 4 created
    await service.identify(req('biff@hillvalley.edu', '123456'), deadline()); // merge of 3 into 1
    const mergedAt = (await row(t, 3)).updatedAt as string;
    await admin.merge(4, 2, ADMIN, deadline()); // admin merge of 4 into 1
    const adminMergedAt = (await row(t, 4)).updatedAt as string;
    await admin.merge(4, 2, ADMIN, deadline()); // already one identity: nothing
    await admin.erase(3, ADMIN, deadline()); // erasure of 1
    await admin.erase(3, ADMIN, deadline()); // repeat: nothing
    destroy();

    const events = await watch.events();
    const r = async (id: number) => row(t, id);
    const hashed = (email: string, phone: string) => contactValues(email, phone, 'hashed');
    const base = (type: ChangeEvent['type'], primaryContactId: number, version: number, time: string) => ({
      eventId: eventIdOf(primaryContactId, version),
      type,
      schemaVersion: 1,
      time,
      primaryContactId,
      version,
    });
    const erasedAt = (await r(1)).deletedAt as string;
    expect(events).toEqual([
      { ...base('identity.created', 1, 1, (await r(1)).createdAt), values: hashed('lorraine@hillvalley.edu', '123456') },
      { ...base('identity.contactAdded', 1, 2, (await r(2)).createdAt), contactId: 2, values: hashed('mcfly@hillvalley.edu', '123456') },
      { ...base('identity.created', 3, 1, (await r(3)).createdAt), values: hashed('biff@hillvalley.edu', '717171') },
      { ...base('identity.created', 4, 1, (await r(4)).createdAt), values: hashed('george@hillvalley.edu', '919191') },
      { ...base('identity.merged', 1, 3, mergedAt), absorbedPrimaryContactId: 3, movedContactIds: [3] },
      { ...base('identity.merged', 1, 4, adminMergedAt), absorbedPrimaryContactId: 4, movedContactIds: [4] },
      { ...base('identity.erased', 1, 5, erasedAt), erasedContactIds: [1, 2, 3, 4] },
    ]);
    // No email or phone in clear anywhere in an event.
    const text = JSON.stringify(events);
    for (const value of ['lorraine', 'mcfly', 'biff', 'george', '123456', '717171', '919191']) expect(text).not.toContain(value);
    expect(events[0]).toMatchObject({ values: { emailSha256: sha256('lorraine@hillvalley.edu') } });
    checkEventsAgainst(events, await snapshot(t));
  });

  it('carries clear values only when the store is configured for them', async () => {
    const { t, watch } = await setup();
    const { DynamoContactStore } = await import('../../lib/store/dynamodb');
    const { IdentityService } = await import('../../lib/identity-service');
    const inst = instance(t);
    const service = new IdentityService(new DynamoContactStore(inst.db, t.tables, 50, undefined, { contactValues: 'clear' }));
    await service.identify(req('doc@hillvalley.edu', null), deadline());
    await service.identify(req('doc@hillvalley.edu', '555'), deadline());
    inst.destroy();
    const events = await watch.events();
    expect(events.map((e) => ('values' in e ? e.values : null))).toEqual([
      { emailSha256: sha256('doc@hillvalley.edu'), phoneNumberSha256: null, email: 'doc@hillvalley.edu', phoneNumber: null },
      { emailSha256: sha256('doc@hillvalley.edu'), phoneNumberSha256: sha256('555'), email: 'doc@hillvalley.edu', phoneNumber: '555' },
    ]);
  });

  it('reads a fresh table\'s first change after an empty read whose iterator DynamoDB Local then refuses', async () => {
    // The poller's first read of the new, empty shard hands back an iterator that DynamoDB Local
    // refuses as trimmed once other tables' writes (here the id block on Counters) have moved the
    // sequence numbers on: the poller must take a fresh one and read on, not call that pass idle.
    // A long pause between passes makes the identify fall between two passes, every time.
    const t = await createTestTables();
    const watch = await watchEvents(t, { idleMs: 1_000 });
    watches.push(watch);
    expect(await watch.events()).toEqual([]);
    const { service, destroy } = instance(t, { clock: steppingClock() });
    await service.identify(req('first@fresh.test', null), deadline());
    destroy();
    expect((await watch.events()).map((e) => e.type)).toEqual(['identity.created']);
  });

  it('yields one identity.merged with every moved contact when the re-link finishes in later transactions', async () => {
    const { t, watch } = await setup();
    const { service, destroy } = instance(t, { maxTransactionActions: 5, clock: steppingClock() });
    await service.identify(req('old@x.test', '1000'), deadline());
    for (let i = 0; i < 9; i++) await service.identify(req(`young${i}@x.test`, '2000'), deadline());
    await service.identify(req('old@x.test', '2000'), deadline());
    destroy();
    const events = await watch.events();
    const merges = events.filter((e) => e.type === 'identity.merged');
    expect(merges).toHaveLength(1);
    expect(merges[0]).toMatchObject({ primaryContactId: 1, absorbedPrimaryContactId: 2, movedContactIds: [2, 3, 4, 5, 6, 7, 8, 9, 10] });
    checkEventsAgainst(events, await snapshot(t));
  });

  it('gives exactly one event per committed change under injected conflicts and lost responses', async () => {
    const { t, watch } = await setup();
    const faults = { conflictRate: 0.2, lostResponseRate: 0.2 };
    const callers = [1, 2, 3].map((seed) =>
      adminInstance(t, { faults, random: seededRandom(seed), maxTransactionActions: seed === 3 ? 6 : undefined }),
    );
    const random = seededRandom(42);
    const pick = <T>(xs: T[]) => xs[Math.floor(random() * xs.length)]!;
    const emails = Array.from({ length: 12 }, (_, i) => `c${i}@faults.test`);
    const phones = Array.from({ length: 8 }, (_, i) => `55500${i}`);
    for (let round = 0; round < 8; round++) {
      await Promise.all(
        Array.from({ length: 8 }, (_, i) => pick(callers).service.identify(req(pick(emails), i % 3 === 0 ? null : pick(phones)), deadline())),
      );
      const ids = (await snapshot(t)).contacts.filter((c) => c.deletedAt === undefined).map((c) => Number(c.id));
      if (round % 3 === 1 && ids.length > 2) await pick(callers).admin.merge(pick(ids), pick(ids), ADMIN, deadline());
      if (round % 4 === 3) await pick(callers).admin.erase(pick(ids), ADMIN, deadline());
    }
    for (const c of callers) c.destroy();
    const events = await watch.events();
    expect(events.length).toBeGreaterThan(10);
    expect(events.some((e) => e.type === 'identity.merged')).toBe(true);
    expect(events.some((e) => e.type === 'identity.erased')).toBe(true);
    checkEventsAgainst(events, await snapshot(t));
  });

  it('gives exactly one merge event whatever write a large merge is killed at, and none when nothing committed', async () => {
    const build = async (t: TestTables) => {
      const { service, destroy } = instance(t, { clock: steppingClock() });
      await service.identify(req('old@crash.test', '1000'), deadline());
      for (let i = 0; i < 7; i++) await service.identify(req(`young${i}@crash.test`, '2000'), deadline());
      destroy();
    };
    for (const crashAt of [0, 1, 2, 3]) {
      const { t, watch } = await setup();
      await build(t);
      const doomed = instance(t, { maxTransactionActions: 4, crashAfterWrites: crashAt, clock: steppingClock(Date.parse('2026-02-01')) });
      await expect(doomed.service.identify(req('old@crash.test', '2000'), deadline())).rejects.toThrow(SimulatedCrash);
      doomed.destroy();
      const beforeRepair = (await watch.events()).filter((e) => e.type === 'identity.merged');
      // The merge transaction is the first write: killed before it, nothing committed, no event.
      expect(beforeRepair, `killed at write ${crashAt}`).toHaveLength(crashAt === 0 ? 0 : 1);
      const next = instance(t, { maxTransactionActions: 4, clock: steppingClock(Date.parse('2026-03-01')) });
      const view = await next.service.identify(req('old@crash.test', '2000'), deadline());
      next.destroy();
      expect(view.secondaryContactIds).toHaveLength(7);
      const events = await watch.events();
      const merges = events.filter((e) => e.type === 'identity.merged');
      expect(merges, `killed at write ${crashAt}`).toHaveLength(1);
      expect(merges[0]).toMatchObject({ primaryContactId: 1, absorbedPrimaryContactId: 2, movedContactIds: [2, 3, 4, 5, 6, 7, 8] });
      checkEventsAgainst(events, await snapshot(t));
      await watch.stop();
      watches = watches.filter((w) => w !== watch);
    }
  });

  it('gives one identity.erased for a large erasure finished in steps', async () => {
    const { t, watch } = await setup();
    const { service, admin, destroy } = adminInstance(t, { maxTransactionActions: 5, clock: steppingClock() });
    for (let i = 0; i < 8; i++) await service.identify(req(`era${i}@x.test`, '7000'), deadline());
    expect(await admin.erase(5, ADMIN, deadline())).toEqual({ erasedContactIds: [1, 2, 3, 4, 5, 6, 7, 8] });
    destroy();
    const events = await watch.events();
    expect(events.filter((e) => e.type === 'identity.erased')).toEqual([
      expect.objectContaining({ primaryContactId: 1, version: 9, erasedContactIds: [1, 2, 3, 4, 5, 6, 7, 8] }),
    ]);
    checkEventsAgainst(events, await snapshot(t));
  });
});
