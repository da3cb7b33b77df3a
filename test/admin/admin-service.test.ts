/**
 * The admin actions (lib/admin-service.ts) against DynamoDB Local, each test on fresh tables:
 * manual merges (idempotent, safe beside /identify traffic), erasure (small and large, crash-safe,
 * idempotent), and the audit log they write. The admin reads are in test/admin/admin-reads.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { AdminService } from '../../lib/admin-service';
import { NotFoundError } from '../../lib/errors';
import { IdentityService } from '../../lib/identity-service';
import type { IdentifyRequest } from '../../lib/validation';
import { createTestTables, type TestTables } from '../support/dynamo';
import { instance, seededRandom, SimulatedCrash } from '../support/instances';
import { seedIdentity, sharedPhoneContacts } from '../support/seed';
import { checkInvariants, snapshot } from '../support/snapshot';
import { ADMIN, adminInstance, deadline, scanEverything } from './helpers';

const req = (email: string | null, phoneNumber: string | null): IdentifyRequest => ({ email, phoneNumber });

/** Every stored item's JSON, to prove that a value is gone from every table. */
async function storedText(t: TestTables): Promise<string> {
  return JSON.stringify(await scanEverything(t));
}

describe('POST /identities/merge', () => {
  it('merges two identities as /identify would (older primary wins), idempotently, and audits each call', async () => {
    const t = await createTestTables();
    const { service, admin } = adminInstance(t);
    const a = await service.identify(req('a@merge.test', '6660001'), deadline());
    const b = await service.identify(req('b@merge.test', '6660002'), deadline());
    const b2 = await service.identify(req('b2@merge.test', '6660002'), deadline());
    const other = await service.identify(req('c@merge.test', null), deadline());

    // The newer identity's secondary first: the older primary still wins.
    const merged = await admin.merge(b2.secondaryContactIds[0]!, a.primaryContactId, ADMIN, deadline());
    expect(merged.view).toEqual({
      primaryContactId: a.primaryContactId,
      emails: ['a@merge.test', 'b@merge.test', 'b2@merge.test'],
      phoneNumbers: ['6660001', '6660002'],
      secondaryContactIds: [b.primaryContactId, b2.secondaryContactIds[0]],
    });
    expect(merged.contacts.map((c) => [c.id, c.linkedId, c.linkPrecedence])).toEqual([
      [a.primaryContactId, null, 'primary'],
      [b.primaryContactId, a.primaryContactId, 'secondary'],
      [b2.secondaryContactIds[0], a.primaryContactId, 'secondary'],
    ]);
    // /identify now answers the same identity from any of its values, writing nothing.
    expect(await service.identify(req('b2@merge.test', '6660001'), deadline())).toEqual(merged.view);

    const identityTables = async () => {
      const s = await scanEverything(t);
      return { contacts: s.contacts, emails: s.emails, phones: s.phones };
    };
    const before = await identityTables();
    expect(await admin.merge(a.primaryContactId, b.primaryContactId, ADMIN, deadline())).toEqual(merged);
    expect(await admin.merge(b.primaryContactId, b.primaryContactId, ADMIN, deadline())).toEqual(merged);
    expect(await identityTables()).toEqual(before);

    const identities = checkInvariants(await snapshot(t));
    expect(identities.map((i) => i.primaryId).sort((x, y) => x - y)).toEqual([a.primaryContactId, other.primaryContactId]);

    const audit = await admin.listAudit({ afterSeq: 0, limit: 10 }, deadline());
    expect(audit.items.map((e) => [e.action, e.actor, e.primaryContactId, e.changed])).toEqual([
      ['identity.merge', ADMIN.sub, a.primaryContactId, true],
      ['identity.merge', ADMIN.sub, a.primaryContactId, false],
      ['identity.merge', ADMIN.sub, a.primaryContactId, false],
    ]);
    expect(audit.items[0]!.contactIds).toEqual([b2.secondaryContactIds[0], a.primaryContactId]);
    expect(JSON.stringify(audit.items)).not.toMatch(/merge\.test|666000/);

    await expect(admin.merge(a.primaryContactId, 424242, ADMIN, deadline())).rejects.toThrow(NotFoundError);
    await admin.erase(other.primaryContactId, ADMIN, deadline());
    await expect(admin.merge(a.primaryContactId, other.primaryContactId, ADMIN, deadline())).rejects.toThrow(NotFoundError);
  });

  it('answers the merged identity when its reads straddle a concurrent merge of the two (no stale half)', async () => {
    const t = await createTestTables();
    const { service, store } = adminInstance(t);
    const a = await service.identify(req('a@straddle.test', '6610001'), deadline());
    const b = await service.identify(req('b@straddle.test', '6610002'), deadline());
    // A BatchGetItem is no snapshot: it may return A as it was before a concurrent merge and B as
    // it is after (already linked to A). Replay exactly that interleaving.
    const staleA = (await store.readContacts([a.primaryContactId])).get(a.primaryContactId)!;
    const merged = await service.identify(req('a@straddle.test', '6610002'), deadline());
    const straddling: typeof store = Object.create(store);
    straddling.readContacts = async (ids) => {
      const found = await store.readContacts(ids);
      if (ids.includes(a.primaryContactId) && ids.includes(b.primaryContactId)) found.set(a.primaryContactId, staleA);
      return found;
    };
    const admin = new AdminService(straddling, new IdentityService(straddling));
    const answer = await admin.merge(a.primaryContactId, b.primaryContactId, ADMIN, deadline());
    expect(answer.view).toEqual(merged);
  });

  it('stays correct when /identify traffic changes the same identities concurrently (injected conflicts and lost responses)', async () => {
    const t = await createTestTables();
    const setup = instance(t);
    const a = await setup.service.identify(req('a@race.test', '7770001'), deadline());
    const b = await setup.service.identify(req('b@race.test', '7770002'), deadline());
    await setup.service.identify(req('c@race.test', '7770003'), deadline());
    const faults = { conflictRate: 0.2, lostResponseRate: 0.1 };
    const admins = [1, 2, 3].map((seed) => adminInstance(t, { faults, random: seededRandom(seed) }));
    const callers = [11, 12, 13, 14].map((seed) => instance(t, { faults, random: seededRandom(seed) }));
    const traffic = [
      req('b@race.test', '7770003'), // merges B and C
      req('a2@race.test', '7770001'), // new secondary of A
      req('c2@race.test', '7770003'),
      req('a@race.test', null),
      req('b3@race.test', '7770002'),
      req('a@race.test', '7770002'), // merges A and B itself
    ];
    const [merges, answers] = await Promise.all([
      Promise.all(admins.map((x, i) => x.admin.merge(i % 2 ? a.primaryContactId : b.primaryContactId, i % 2 ? b.primaryContactId : a.primaryContactId, ADMIN, deadline()))),
      Promise.all(traffic.map((r, i) => callers[i % callers.length]!.service.identify(r, deadline()))),
    ]);
    const identities = checkInvariants(await snapshot(t));
    expect(identities).toHaveLength(1);
    expect(identities[0]!.primaryId).toBe(a.primaryContactId);
    for (const m of merges) {
      expect(m.view.primaryContactId).toBe(a.primaryContactId);
      expect(m.view.emails).toEqual(expect.arrayContaining(['a@race.test', 'b@race.test']));
    }
    traffic.forEach((r, i) => {
      if (r.email) expect(answers[i]!.emails).toContain(r.email);
      if (r.phoneNumber) expect(answers[i]!.phoneNumbers).toContain(r.phoneNumber);
    });
    for (const x of [setup, ...admins, ...callers]) x.destroy();
  });
});

describe('DELETE /identities/{contactId}: erasure', () => {
  it('erases the whole identity from every table, idempotently; the same email then starts a new identity', async () => {
    const t = await createTestTables();
    const { service, admin } = adminInstance(t);
    const x = await service.identify(req('xena@erase.test', '+447946000001'), deadline());
    await service.identify(req('xena.two@erase.test', '+447946000001'), deadline());
    await service.identify(req('yann@erase.test', '+447946000002'), deadline());
    const merged = await service.identify(req('xena@erase.test', '+447946000002'), deadline());
    const keep = await service.identify(req('zoe@keep.test', '+447946000009'), deadline());
    const ids = [merged.primaryContactId, ...merged.secondaryContactIds].sort((p, q) => p - q);

    const result = await admin.erase(merged.secondaryContactIds.at(-1)!, ADMIN, deadline());
    expect(result).toEqual({ erasedContactIds: ids });
    const text = await storedText(t);
    for (const value of ['xena', 'yann', 'erase.test', '447946000001', '447946000002']) expect(text).not.toContain(value);
    expect(text).toContain('zoe@keep.test');
    for (const id of ids) {
      const row = await admin.getContact(id, deadline());
      expect(row).toMatchObject({ email: null, phoneNumber: null });
      expect(row.deletedAt).toEqual(expect.any(String));
      await expect(admin.identityByContact(id, deadline())).rejects.toThrow(NotFoundError);
    }
    await expect(admin.identityByValue(req('xena@erase.test', null), deadline())).rejects.toThrow(NotFoundError);
    expect((await admin.listContacts({ afterId: 0, limit: 100, includeDeleted: false }, deadline())).items.map((c) => c.id)).toEqual([
      keep.primaryContactId,
    ]);

    // Idempotent: the same answer from any erased id, and no contact or claim written.
    const before = await scanEverything(t);
    expect(await admin.erase(x.primaryContactId, ADMIN, deadline())).toEqual(result);
    expect(await admin.erase(ids[1]!, ADMIN, deadline())).toEqual(result);
    const after = await scanEverything(t);
    expect({ ...after, audit: [], counters: [] }).toEqual({ ...before, audit: [], counters: [] });
    await expect(admin.erase(987_654, ADMIN, deadline())).rejects.toThrow(NotFoundError);

    // The same values now start a brand-new identity.
    const fresh = await service.identify(req('xena@erase.test', '+447946000002'), deadline());
    expect(fresh).toEqual({
      primaryContactId: expect.any(Number),
      emails: ['xena@erase.test'],
      phoneNumbers: ['+447946000002'],
      secondaryContactIds: [],
    });
    expect(ids).not.toContain(fresh.primaryContactId);
    expect(await admin.getContact(fresh.primaryContactId, deadline())).toMatchObject({ linkPrecedence: 'primary', linkedId: null, deletedAt: null });
    checkInvariants(await snapshot(t));

    const audit = await admin.listAudit({ afterSeq: 0, limit: 10 }, deadline());
    expect(audit.items.map((e) => [e.action, e.contactIds, e.changed])).toEqual([
      ['identity.erase', ids, true],
      ['identity.erase', ids, false],
      ['identity.erase', ids, false],
    ]);
    expect(JSON.stringify(audit.items)).not.toMatch(/erase\.test|4479460/);
  });

  it('erases an identity too large for one transaction; a crash after its marker is finished by the next /identify, and a slow helper never deletes a value claimed again', async () => {
    const t = await createTestTables();
    const seeder = instance(t);
    const big = await seedIdentity(seeder.db, t.tables, sharedPhoneContacts('big', '5553000', 120), new Date('2025-01-01T00:00:00Z'));
    const keep = await seedIdentity(seeder.db, t.tables, [{ email: 'keep@seed.test', phoneNumber: '5554000' }], new Date('2025-01-02T00:00:00Z'));

    // Killed right after its second write: the audit number, then the marker (with the audit record).
    const crashing = adminInstance(t, { crashAfterWrites: 2 });
    await expect(crashing.admin.erase(big.ids[7]!, ADMIN, deadline())).rejects.toThrow(SimulatedCrash);
    const { admin, service, store } = adminInstance(t);
    const marked = (await store.readContacts([big.primaryId])).get(big.primaryId)!;
    expect(marked.kind === 'primary' && marked.identity.erasure).toBeTruthy();
    const pending = marked.kind === 'primary' ? marked.identity.erasure! : null;
    expect(pending!.contactIds).toHaveLength(119);

    // The erasure took effect with its marker: lookups see nothing, and write nothing.
    const before = await scanEverything(t);
    await expect(admin.identityByValue(req('big5@seed.test', null), deadline())).rejects.toThrow(NotFoundError);
    await expect(admin.identityByContact(big.ids[3]!, deadline())).rejects.toThrow(NotFoundError);
    expect(await scanEverything(t)).toEqual(before);

    // The next /identify that meets it finishes it, then finds the value free: a new primary.
    const fresh = await service.identify(req('big0@seed.test', '5553000'), deadline());
    expect(fresh).toMatchObject({ emails: ['big0@seed.test'], phoneNumbers: ['5553000'], secondaryContactIds: [] });
    expect(big.ids).not.toContain(fresh.primaryContactId);
    const text = await storedText(t);
    expect(text).not.toMatch(/big[1-9]\d*@seed\.test/);
    checkInvariants(await snapshot(t));

    // A helper that read the marker before and finishes it late: the re-claimed values survive.
    await store.finishErasure(big.primaryId, pending!);
    const identities = checkInvariants(await snapshot(t));
    expect(identities.map((i) => i.primaryId).sort((p, q) => p - q)).toEqual([keep.primaryId, fresh.primaryContactId]);

    // Erasing again answers the same ids. The crashed call is audited (its record committed with
    // the marker, where the erasure took effect), the repeat as a call that changed nothing.
    const again = await admin.erase(big.ids[50]!, ADMIN, deadline());
    expect(again.erasedContactIds).toEqual(big.ids);
    const audit = await admin.listAudit({ afterSeq: 0, limit: 10 }, deadline());
    expect(audit.items.map((e) => [e.action, e.changed, e.contactIds])).toEqual([
      ['identity.erase', true, big.ids],
      ['identity.erase', false, big.ids],
    ]);
    for (const x of [seeder, crashing]) x.destroy();
  });

  it.each([
    ['one transaction', 100],
    ['the erasure marker path', 3],
  ])('stays consistent when /identify traffic uses the values being erased (%s)', async (_name, maxTransactionActions) => {
    const t = await createTestTables();
    const setup = instance(t);
    const e = await setup.service.identify(req('eve@race.test', '8880001'), deadline());
    await setup.service.identify(req('eve2@race.test', '8880001'), deadline());
    await setup.service.identify(req('eve3@race.test', '8880002'), deadline());
    await setup.service.identify(req('eve3@race.test', '8880001'), deadline());
    const faults = { conflictRate: 0.2, lostResponseRate: 0.1 };
    const eraser = adminInstance(t, { faults, random: seededRandom(7), maxTransactionActions });
    const callers = [21, 22, 23].map((seed) => instance(t, { faults, random: seededRandom(seed), maxTransactionActions }));
    const traffic = [req('eve@race.test', null), req('eve4@race.test', '8880001'), req('eve2@race.test', '8880003'), req(null, '8880002')];
    const [erased, answers] = await Promise.all([
      eraser.admin.erase(e.primaryContactId, ADMIN, deadline()),
      Promise.all(traffic.map((r, i) => callers[i % callers.length]!.service.identify(r, deadline()))),
    ]);
    expect(erased.erasedContactIds).toContain(e.primaryContactId);
    const s = await snapshot(t);
    const identities = checkInvariants(s);
    // Exactly the erased contacts are deleted, and none of them is part of a live identity.
    const deleted = s.contacts.filter((c) => c.deletedAt !== undefined).map((c) => Number(c.id));
    expect(deleted.sort((p, q) => p - q)).toEqual(erased.erasedContactIds);
    for (const c of s.contacts.filter((c) => c.deletedAt !== undefined)) {
      expect(c.email ?? c.phoneNumber ?? c.members ?? c.erasure).toBeUndefined();
    }
    for (const i of identities) for (const id of i.contactIds) expect(erased.erasedContactIds).not.toContain(id);
    // Every answer holds its own values.
    traffic.forEach((r, i) => {
      if (r.email) expect(answers[i]!.emails).toContain(r.email);
      if (r.phoneNumber) expect(answers[i]!.phoneNumbers).toContain(r.phoneNumber);
    });
    for (const x of [setup, eraser, ...callers]) x.destroy();
  });
});

describe('GET /audit', () => {
  it('pages through the audit log in order', async () => {
    const t = await createTestTables();
    const { service, admin } = adminInstance(t);
    const ids: number[] = [];
    for (let i = 0; i < 5; i++) ids.push((await service.identify(req(`p${i}@audit.test`, null), deadline())).primaryContactId);
    for (const id of ids) await admin.erase(id, { sub: `staff-${id}`, requestId: null }, deadline());
    const entries = [];
    let afterSeq = 0;
    for (let pages = 1; ; pages++) {
      const page = await admin.listAudit({ afterSeq, limit: 2 }, deadline());
      entries.push(...page.items);
      if (!page.hasMore) {
        expect(pages).toBe(3);
        break;
      }
      afterSeq = page.items.at(-1)!.seq;
    }
    expect(entries.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(entries.map((e) => e.actor)).toEqual(ids.map((id) => `staff-${id}`));
    expect(entries.map((e) => e.contactIds)).toEqual(ids.map((id) => [id]));
    for (const e of entries) expect(e.at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });
});
