/**
 * SPEC "Concurrency contract": once a request has answered, every read path answers exactly as if
 * re-linking had finished. A large merge (here: small transactions, so a 7-contact identity needs
 * a recorded re-link finished in several steps) is killed at each of its writes in turn
 * (test/support/instances.ts, crashAfterWrites); then, before anything repairs the data, every
 * admin read — GET /contacts (paged), GET /contacts/{id}, GET /identities/{contactId}, and the
 * lookup by value behind POST /identities/lookup (AdminReads.identityByValue) — must equal the reference model (test/support/model.ts)
 * that has seen the merge once its transaction committed, and must write nothing.
 */
import { describe, expect, it } from 'vitest';
import type { Contact } from '../../lib/model';
import { deadlineIn } from '../../lib/retry';
import { createTestTables } from '../support/dynamo';
import { instance, SimulatedCrash } from '../support/instances';
import { IdentityModel, type ModelRequest } from '../support/model';
import { seedIdentity, sharedPhoneContacts } from '../support/seed';
import { snapshot } from '../support/snapshot';
import { adminInstance, deadline } from './helpers';

const MAX_ACTIONS = 6;
const MERGE: ModelRequest = { email: 'rw0@seed.test', phoneNumber: '5562000' };

async function setup() {
  const t = await createTestTables();
  const seeder = instance(t);
  const winner = await seedIdentity(seeder.db, t.tables, sharedPhoneContacts('rw', '5561000', 2), new Date('2025-01-01T00:00:00Z'));
  const loser = await seedIdentity(seeder.db, t.tables, sharedPhoneContacts('rl', '5562000', 7), new Date('2025-06-01T00:00:00Z'));
  seeder.destroy();
  const model = new IdentityModel();
  const realIds = [0, ...winner.ids, ...loser.ids]; // model id -> stored id
  for (const c of [...winner.contacts, ...loser.contacts]) model.identify(c);
  return { t, winner, loser, model, realIds };
}

async function settled(t: Parameters<typeof snapshot>[0]) {
  let last = await snapshot(t);
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 150));
    const now = await snapshot(t);
    if (JSON.stringify(now) === JSON.stringify(last)) return now;
    last = now;
  }
}

type Shown = Pick<Contact, 'id' | 'email' | 'phoneNumber' | 'linkedId' | 'linkPrecedence'>;
const shown = (c: Contact): Shown => ({ id: c.id, email: c.email, phoneNumber: c.phoneNumber, linkedId: c.linkedId, linkPrecedence: c.linkPrecedence });

describe('admin reads while a large merge re-link is unfinished', () => {
  it('answer the final linkedId on every read path, at every crash point, and write nothing', async () => {
    const probe = await setup();
    const counter = instance(probe.t, { maxTransactionActions: MAX_ACTIONS });
    await counter.service.identify(MERGE, deadlineIn(10_000));
    const writes = counter.writes();
    counter.destroy();
    expect(writes, 'merge + at least two re-link steps + REMOVE relink').toBeGreaterThanOrEqual(4);

    let staleStates = 0;
    for (let crashAt = 0; crashAt <= writes; crashAt++) {
      const label = `killed after write ${crashAt} of ${writes}`;
      const { t, loser, model, realIds } = await setup();
      const doomed = instance(t, { maxTransactionActions: MAX_ACTIONS, crashAfterWrites: crashAt });
      await expect(doomed.service.identify(MERGE, deadlineIn(10_000)), label).rejects.toThrow(SimulatedCrash);
      doomed.destroy();
      // The merge transaction is the first write: from then on the merge has happened.
      if (crashAt >= 1) model.identify(MERGE);
      const real = (id: number) => realIds[id]!;
      const expectedRows: Shown[] = model.contacts
        .map((c) => ({ ...c, id: real(c.id), linkedId: c.linkedId === null ? null : real(c.linkedId) }))
        .sort((a, b) => a.id - b.id);

      // A write the dead instance had already sent may still land (its re-link chunks run in
      // parallel): wait until storage is quiet before taking the state the reads must not change.
      const before = await settled(t);
      const stale = before.contacts.filter(
        (c) => c.linkedId !== undefined && Number(c.linkedId) === loser.primaryId,
      );
      if (crashAt >= 1 && stale.length > 0) staleStates++;

      const reader = adminInstance(t, { maxTransactionActions: MAX_ACTIONS });
      // GET /contacts, in pages of 3.
      const listed: Contact[] = [];
      for (let afterId = 0; ; ) {
        const page = await reader.admin.listContacts({ afterId, limit: 3, includeDeleted: false }, deadline());
        listed.push(...page.items);
        if (!page.hasMore || page.resumeAfter === null) break;
        afterId = page.resumeAfter;
      }
      expect(listed.map(shown), `${label}: GET /contacts`).toEqual(expectedRows);
      // GET /contacts/{id}
      for (const expected of expectedRows) {
        const got = await reader.admin.getContact(expected.id, deadline());
        expect(shown(got), `${label}: GET /contacts/${expected.id}`).toEqual(expected);
        if (crashAt >= 1 && loser.ids.includes(expected.id) && expected.id !== loser.primaryId) {
          // As if re-linked by the merge: its time, never older.
          const demoted = listed.find((c) => c.id === loser.primaryId)!;
          expect(got.updatedAt >= demoted.updatedAt, `${label}: updatedAt of ${expected.id}`).toBe(true);
        }
      }
      // GET /identities/{contactId} and the lookup by value (POST /identities/lookup)
      const primaryOf = (id: number) => expectedRows.find((r) => r.id === id)!.linkedId ?? id;
      const modelView = (storedId: number) => {
        const modelPrimary = realIds.indexOf(primaryOf(storedId));
        const view = model.view(modelPrimary);
        return { ...view, primaryContactId: real(view.primaryContactId), secondaryContactIds: view.secondaryContactIds.map(real) };
      };
      for (const expected of expectedRows) {
        const details = await reader.admin.identityByContact(expected.id, deadline());
        expect(details.view, `${label}: GET /identities/${expected.id}`).toEqual(modelView(expected.id));
        const rowsOfIdentity = expectedRows.filter((r) => primaryOf(r.id) === primaryOf(expected.id));
        expect(details.contacts.map(shown).sort((a, b) => a.id - b.id), `${label}: rows of /identities/${expected.id}`).toEqual(rowsOfIdentity);
        const byEmail = await reader.admin.identityByValue({ email: expected.email, phoneNumber: null }, deadline());
        expect(byEmail.view, `${label}: lookup by email ${expected.email}`).toEqual(modelView(expected.id));
        expect(byEmail.contacts.map(shown).sort((a, b) => a.id - b.id)).toEqual(rowsOfIdentity);
        const byPhone = await reader.admin.identityByValue({ email: null, phoneNumber: expected.phoneNumber }, deadline());
        expect(byPhone.view, `${label}: lookup by phone ${expected.phoneNumber}`).toEqual(modelView(expected.id));
      }
      // Reads never write: storage is as the crash left it.
      expect(await snapshot(t), `${label}: reads wrote nothing`).toEqual(before);
      reader.destroy();
    }
    // The reads above really met rows still linked to the demoted primary.
    expect(staleStates).toBeGreaterThanOrEqual(1);
  }, 120_000);
});
