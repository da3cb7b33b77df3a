/**
 * SPEC "Concurrency contract": identities can grow large; merging two identities of several
 * hundred contacts each must work, however the storage's transaction limits fall. A merge whose
 * absorbed identity has more secondaries than one transaction may touch re-links the rest before
 * it answers; afterwards every secondary links directly to the primary and every claim hint is
 * exact (scripts/audit.ts, strict hints).
 */
import { describe, expect, it } from 'vitest';
import { MAX_TRANSACTION_ACTIONS } from '../../lib/store/dynamodb';
import { deadlineIn } from '../../lib/retry';
import { audit, readDataSet } from '../../scripts/audit';
import { createTestTables } from '../support/dynamo';
import { instance } from '../support/instances';
import { seedIdentity, sharedPhoneContacts, type SeededIdentity } from '../support/seed';

const OLDER = new Date('2025-01-01T00:00:00.000Z');
const NEWER = new Date('2025-06-01T00:00:00.000Z');

/** The answer SPEC expects once `loser` (seeded after `winner`) is merged into `winner`. */
function mergedView(winner: SeededIdentity, loser: SeededIdentity) {
  const all = [...winner.contacts, ...loser.contacts];
  const distinct = (values: Array<string | null>) => [...new Set(values.filter((v): v is string => v !== null))];
  return {
    primaryContactId: winner.primaryId,
    emails: distinct(all.map((c) => c.email)),
    phoneNumbers: distinct(all.map((c) => c.phoneNumber)),
    secondaryContactIds: [...winner.ids.slice(1), ...loser.ids],
  };
}

async function seedPair(winnerSize: number, loserSize: number) {
  const t = await createTestTables();
  const seeder = instance(t);
  const winner = await seedIdentity(seeder.db, t.tables, sharedPhoneContacts('w', '5551000', winnerSize), OLDER);
  const loser = await seedIdentity(seeder.db, t.tables, sharedPhoneContacts('l', '5552000', loserSize), NEWER);
  seeder.destroy();
  return { t, winner, loser };
}

describe('large identities', () => {
  it('lets a late helper re-run a finished re-link without changing anything, even after a later merge', async () => {
    const t = await createTestTables();
    const seeder = instance(t);
    const oldest = await seedIdentity(seeder.db, t.tables, sharedPhoneContacts('x', '5550500', 2), new Date('2024-12-01T00:00:00.000Z'));
    const winner = await seedIdentity(seeder.db, t.tables, sharedPhoneContacts('w', '5551000', 3), OLDER);
    const loser = await seedIdentity(seeder.db, t.tables, sharedPhoneContacts('l', '5552000', MAX_TRANSACTION_ACTIONS + 10), NEWER);
    seeder.destroy();
    const { service, db, destroy } = instance(t);
    const requests = [
      { email: 'w0@seed.test', phoneNumber: '5552000' },
      { email: 'x0@seed.test', phoneNumber: '5551000' },
    ];
    for (const request of requests) await service.identify(request, deadlineIn(20_000));
    const before = await readDataSet(db, t.tables);

    // What the first merge recorded on the winner: the loser's rows beyond the transaction and the
    // hints of all its values. A helper that read it long ago now finishes it once more.
    const late = instance(t);
    await late.store.finishRelink(winner.primaryId, {
      from: loser.primaryId,
      contactIds: loser.ids.slice(1 + MAX_TRANSACTION_ACTIONS - 2),
      emails: loser.contacts.map((c) => c.email!),
      phoneNumbers: ['5552000'],
    });
    // One transaction per chunk, each dropping its already-done steps, and the final REMOVE.
    const steps = loser.ids.length - 1 - (MAX_TRANSACTION_ACTIONS - 2) + loser.ids.length + 1;
    expect(late.writes()).toBe(Math.ceil(steps / MAX_TRANSACTION_ACTIONS) + 1);
    expect(await readDataSet(db, t.tables)).toEqual(before);
    const report = await audit(db, t.tables, [], { requests });
    expect(report.violations).toEqual([]);
    expect(report.identities).toBe(1);
    expect(report.contacts).toBe(oldest.ids.length + winner.ids.length + loser.ids.length);
    late.destroy();
    destroy();
  });

  it('merges two identities of 500 contacts each and answers the whole merged identity', async () => {
    const { t, winner, loser } = await seedPair(500, 500);
    const { service, db, destroy } = instance(t);
    // The loser's phone with the winner's primary email: rule 3.
    const request = { email: 'w0@seed.test', phoneNumber: '5552000' };
    const view = await service.identify(request, deadlineIn(20_000));
    expect(view).toEqual(mergedView(winner, loser));
    // Any value of the absorbed identity now answers the same identity, and nothing is written.
    const again = await service.identify({ email: 'l499@seed.test', phoneNumber: null }, deadlineIn(5_000));
    expect(again).toEqual(view);
    const report = await audit(db, t.tables, [], { requests: [request] });
    expect(report.violations).toEqual([]);
    expect(report.identities).toBe(1);
    expect(report.contacts).toBe(1000);
    destroy();
  });

  it('re-links the secondaries that do not fit in the merge transaction before answering', async () => {
    const loserSize = MAX_TRANSACTION_ACTIONS + 50;
    const { t, winner, loser } = await seedPair(3, loserSize);
    const { service, db, writes, destroy } = instance(t);
    const request = { email: 'l7@seed.test', phoneNumber: '5551000' };
    const view = await service.identify(request, deadlineIn(20_000));
    expect(view).toEqual(mergedView(winner, loser));
    // The merge transaction (winner, loser, 98 re-links), then the recorded rest (re-links and
    // the hints of all the loser's values) in transactions of up to 100 conditional updates,
    // then the record's removal.
    const recorded = loserSize - 1 - (MAX_TRANSACTION_ACTIONS - 2) + loserSize + 1;
    expect(writes()).toBe(1 + Math.ceil(recorded / MAX_TRANSACTION_ACTIONS) + 1);
    // The report is strict: every row links to the primary, every hint names it, nothing pending.
    const report = await audit(db, t.tables, [], { requests: [request] });
    expect(report.violations).toEqual([]);
    expect(report.identities).toBe(1);
    destroy();
  });
});
