/**
 * Admin actions killed at each of their writes (test/support/instances.ts, crashAfterWrites), on
 * fresh tables each time:
 * - a large erasure (one that needs the marker and finishErasure's steps): once the next /identify
 *   with the erased values has answered, no row keeps an email or phone of the erased identity, and
 *   the values start a fresh primary;
 * - every committed admin action has its audit record, whatever the crash point (the record
 *   commits in the action's own transaction), and the caller's retry is recorded as changing nothing.
 */
import { describe, expect, it } from 'vitest';
import type { AuditEntry } from '../../lib/model';
import type { IdentifyRequest } from '../../lib/validation';
import { createTestTables, type TestTables } from '../support/dynamo';
import { instance, SimulatedCrash } from '../support/instances';
import { seedIdentity, sharedPhoneContacts } from '../support/seed';
import { checkInvariants, snapshot } from '../support/snapshot';
import { ADMIN, adminInstance, deadline } from './helpers';

const req = (email: string | null, phoneNumber: string | null): IdentifyRequest => ({ email, phoneNumber });

/** Small enough that an identity of 8 contacts takes the marker path, and every step several chunks. */
const MAX_ACTIONS = 5;
const PHONE = '5557000';
const ERASED_EMAILS = Array.from({ length: 8 }, (_, i) => `era${i}@seed.test`);

async function seedLarge(t: TestTables) {
  const seeder = instance(t);
  const big = await seedIdentity(seeder.db, t.tables, sharedPhoneContacts('era', PHONE, 8), new Date('2025-01-01T00:00:00Z'));
  const keep = await seedIdentity(seeder.db, t.tables, [{ email: 'keep@seed.test', phoneNumber: '5558000' }], new Date('2025-01-02T00:00:00Z'));
  seeder.destroy();
  return { big, keep };
}

const changes = (entries: AuditEntry[]) => entries.map((e) => [e.action, e.changed]);

describe('a large erasure killed at each of its writes', () => {
  it('leaves no email or phone of the erased identity in any row once the next /identify with those values has answered', async () => {
    // The writes of one clean run: the audit number, the marker, the row chunks, the claim chunks,
    // the primary's final update.
    const clean = await createTestTables();
    const { big: cleanBig } = await seedLarge(clean);
    const counter = adminInstance(clean, { maxTransactionActions: MAX_ACTIONS });
    await counter.admin.erase(cleanBig.ids[3]!, ADMIN, deadline());
    const writes = counter.writes();
    counter.destroy();
    expect(writes).toBeGreaterThanOrEqual(6);

    for (let crashAfter = 0; crashAfter < writes; crashAfter++) {
      const label = `killed after write ${crashAfter} of ${writes}`;
      const t = await createTestTables();
      const { big, keep } = await seedLarge(t);
      const crashing = adminInstance(t, { maxTransactionActions: MAX_ACTIONS, crashAfterWrites: crashAfter });
      await expect(crashing.admin.erase(big.ids[3]!, ADMIN, deadline()), label).rejects.toThrow(SimulatedCrash);
      crashing.destroy();

      const next = adminInstance(t, { maxTransactionActions: MAX_ACTIONS });
      const primaryRow = (await snapshot(t)).contacts.find((c) => Number(c.id) === big.primaryId)!;
      const tookEffect = primaryRow.erasure !== undefined || primaryRow.deletedAt !== undefined;
      // The marker write is the erasure's commit point (write 2, after the audit number).
      expect(tookEffect, label).toBe(crashAfter >= 2);
      if (tookEffect) {
        // The erasure takes effect with its marker: the primary's own row is erased by that write.
        expect(primaryRow.deletedAt, `${label}: the marker erases the primary`).toEqual(expect.any(String));
        expect(primaryRow.email ?? primaryRow.phoneNumber ?? primaryRow.members, `${label}: the marker erases the primary`).toBeUndefined();
      } else {
        await next.admin.erase(big.ids[3]!, ADMIN, deadline()); // the caller's retry
      }

      // The next request with the erased values: a fresh primary, and nothing of the old identity.
      const fresh = await next.service.identify(req(ERASED_EMAILS[0]!, PHONE), deadline());
      expect(fresh, label).toEqual({
        primaryContactId: expect.any(Number),
        emails: [ERASED_EMAILS[0]],
        phoneNumbers: [PHONE],
        secondaryContactIds: [],
      });
      expect(big.ids, label).not.toContain(fresh.primaryContactId);

      const s = await snapshot(t);
      for (const c of s.contacts.filter((c) => big.ids.includes(Number(c.id)))) {
        expect(c.deletedAt, `${label}: contact ${c.id} is erased`).toEqual(expect.any(String));
        expect(c.email ?? c.phoneNumber ?? c.members, `${label}: contact ${c.id} keeps no personal data`).toBeUndefined();
      }
      // No erased value is stored anywhere but in the fresh contact and its own claims.
      const others = JSON.stringify({
        contacts: s.contacts.filter((c) => Number(c.id) !== fresh.primaryContactId),
        emails: s.emails.filter((c) => Number(c.contactId) !== fresh.primaryContactId),
        phones: s.phones.filter((c) => Number(c.contactId) !== fresh.primaryContactId),
      });
      for (const value of [...ERASED_EMAILS, PHONE]) expect(others, `${label}: ${value}`).not.toContain(value);
      const identities = checkInvariants(s);
      expect(identities.map((i) => i.primaryId).sort((p, q) => p - q), label).toEqual([keep.primaryId, fresh.primaryContactId]);
      const listed = await next.admin.listContacts({ afterId: 0, limit: 100, includeDeleted: false }, deadline());
      expect(listed.items.map((c) => c.id).sort((p, q) => p - q), label).toEqual([keep.primaryId, fresh.primaryContactId]);

      // The caller's retry answers the same ids, and leaves no marker behind.
      expect(await next.admin.erase(big.ids[5]!, ADMIN, deadline()), label).toEqual({ erasedContactIds: big.ids });
      const primary = (await snapshot(t)).contacts.find((c) => Number(c.id) === big.primaryId)!;
      expect(primary.erasure, label).toBeUndefined();
      expect(primary.erasedIds.map(Number).sort((p: number, q: number) => p - q), label).toEqual(big.ids);
      // One record of the erasure that changed data (the crashed call's, or the retry's when the
      // crash came before the commit), and one of the repeat that found nothing to do.
      const audit = await next.admin.listAudit({ afterSeq: 0, limit: 10 }, deadline());
      expect(changes(audit.items), label).toEqual([
        ['identity.erase', true],
        ['identity.erase', false],
      ]);
      for (const e of audit.items) expect(e.contactIds, label).toEqual(big.ids);
      next.destroy();
    }
  });
});

describe('an admin merge killed at each of its writes', () => {
  it('never commits without its audit record; the retry is recorded as changing nothing', async () => {
    const setup = async () => {
      const t = await createTestTables();
      const seeder = instance(t);
      const winner = await seedIdentity(seeder.db, t.tables, sharedPhoneContacts('mw', '5561000', 2), new Date('2025-01-01T00:00:00Z'));
      const loser = await seedIdentity(seeder.db, t.tables, sharedPhoneContacts('ml', '5562000', 6), new Date('2025-02-01T00:00:00Z'));
      seeder.destroy();
      return { t, winner, loser };
    };
    // A transaction with room for a few re-links only: the merge, then re-link steps, then REMOVE relink.
    const clean = await setup();
    const counter = adminInstance(clean.t, { maxTransactionActions: 4 });
    const expected = await counter.admin.merge(clean.loser.ids[2]!, clean.winner.ids[1]!, ADMIN, deadline());
    const writes = counter.writes();
    counter.destroy();
    expect(writes).toBeGreaterThanOrEqual(4);

    for (let crashAfter = 0; crashAfter < writes; crashAfter++) {
      const label = `killed after write ${crashAfter} of ${writes}`;
      const { t, winner, loser } = await setup();
      const crashing = adminInstance(t, { maxTransactionActions: 4, crashAfterWrites: crashAfter });
      await expect(crashing.admin.merge(loser.ids[2]!, winner.ids[1]!, ADMIN, deadline()), label).rejects.toThrow(SimulatedCrash);
      crashing.destroy();

      const loserRow = (await snapshot(t)).contacts.find((c) => Number(c.id) === loser.primaryId)!;
      const committed = loserRow.linkPrecedence === 'secondary';
      expect(committed, label).toBe(crashAfter >= 2);
      const next = adminInstance(t, { maxTransactionActions: 4 });
      const recorded = await next.admin.listAudit({ afterSeq: 0, limit: 10 }, deadline());
      expect(changes(recorded.items), label).toEqual(committed ? [['identity.merge', true]] : []);

      const again = await next.admin.merge(loser.ids[2]!, winner.ids[1]!, ADMIN, deadline());
      expect(again.view, label).toEqual({ ...expected.view });
      const audit = await next.admin.listAudit({ afterSeq: 0, limit: 10 }, deadline());
      expect(changes(audit.items), label).toEqual(
        committed ? [['identity.merge', true], ['identity.merge', false]] : [['identity.merge', true]],
      );
      for (const e of audit.items) {
        expect(e, label).toMatchObject({ actor: ADMIN.sub, contactIds: [loser.ids[2], winner.ids[1]], primaryContactId: winner.primaryId });
      }
      checkInvariants(await snapshot(t));
      next.destroy();
    }
  });
});

describe('admin reads while a large erasure is cut off after taking effect', () => {
  it('show every row of the erased identity as erased, before anything finishes the erasure', async () => {
    const t = await createTestTables();
    const seeder = adminInstance(t);
    const big = await seedIdentity(seeder.db, t.tables, sharedPhoneContacts('cut', '5557000', 8), new Date('2025-01-01T00:00:00Z'));
    seeder.destroy();
    // Writes: the audit number, then the marker (the erasure takes effect), then the crash.
    const crashing = adminInstance(t, { maxTransactionActions: 5, crashAfterWrites: 2 });
    await expect(crashing.admin.erase(big.ids[3]!, ADMIN, deadline())).rejects.toThrow();
    crashing.destroy();

    const reader = adminInstance(t, { maxTransactionActions: 5 });
    const before = await snapshot(t);
    // Some rows still hold values in storage: this is the state the reads must hide.
    expect(before.contacts.some((c) => c.email !== undefined && c.deletedAt === undefined)).toBe(true);

    const live = await reader.admin.listContacts({ afterId: 0, limit: 50, includeDeleted: false }, deadline());
    expect(live.items).toEqual([]);
    const all = await reader.admin.listContacts({ afterId: 0, limit: 50, includeDeleted: true }, deadline());
    expect(all.items.map((c) => c.id)).toEqual(big.ids);
    for (const row of all.items) {
      expect(row).toMatchObject({ email: null, phoneNumber: null, deletedAt: expect.any(String) });
    }
    expect(await reader.admin.getContact(big.ids[5]!, deadline())).toMatchObject({ email: null, phoneNumber: null });
    // Reads never write: storage is as the crash left it.
    expect(await snapshot(t)).toEqual(before);
    reader.destroy();
  });
});
