/**
 * SPEC "Concurrency contract": a crash or timeout in the middle of any operation must leave data
 * that the next request repairs or completes. An instance is killed at each of its writes in
 * turn (test/support/instances.ts addCrash: the k-th write commits, then every call of that
 * instance fails, as if its process died): the merge transaction, each re-link transaction of
 * finishRelink, the final REMOVE of the relink record, and the single transactions of a new
 * primary or secondary (with the id-block reservation before them). A fresh instance (new client)
 * then serves the next request touching either identity; its answer must equal the reference
 * model's, and the whole data set must pass the invariant audit with exact claim hints.
 */
import { describe, expect, it } from 'vitest';
import { MAX_TRANSACTION_ACTIONS } from '../../lib/store/dynamodb';
import type { IdentityView } from '../../lib/model';
import { deadlineIn } from '../../lib/retry';
import { audit } from '../../scripts/audit';
import { createTestTables, type TestTables } from '../support/dynamo';
import { instance, SimulatedCrash, steppingClock } from '../support/instances';
import { IdentityModel, type ModelRequest } from '../support/model';
import { seedIdentity, sharedPhoneContacts, type SeededIdentity } from '../support/seed';

const OLDER = new Date('2025-01-01T00:00:00.000Z');
const NEWER = new Date('2025-06-01T00:00:00.000Z');

/** A model that has seen the seeded contacts, and the map of its ids to the stored ones. */
function modelOf(...identities: SeededIdentity[]) {
  const model = new IdentityModel();
  const realIds: number[] = [0];
  for (const identity of identities) {
    identity.contacts.forEach((c, i) => {
      model.identify(c);
      realIds.push(identity.ids[i]!);
    });
  }
  return { model, realIds };
}

function translate(view: { primaryContactId: number; emails: string[]; phoneNumbers: string[]; secondaryContactIds: number[] }, realIds: number[]): IdentityView {
  const real = (id: number) => realIds[id] ?? -id;
  return { ...view, primaryContactId: real(view.primaryContactId), secondaryContactIds: view.secondaryContactIds.map(real) };
}

async function seedPair(t: TestTables, winnerSize: number, loserSize: number) {
  const seeder = instance(t);
  const winner = await seedIdentity(seeder.db, t.tables, sharedPhoneContacts('w', '5551000', winnerSize), OLDER);
  const loser = await seedIdentity(seeder.db, t.tables, sharedPhoneContacts('l', '5552000', loserSize), NEWER);
  seeder.destroy();
  return { winner, loser };
}

const MERGE: ModelRequest = { email: 'w0@seed.test', phoneNumber: '5552000' };

/** Requests that touch one identity or both after the crash. */
function touches(loserSize: number): Array<[string, ModelRequest]> {
  return [
    ['a value of the surviving identity', { email: 'w1@seed.test', phoneNumber: null }],
    ['a value of the absorbed identity', { email: `l${loserSize - 1}@seed.test`, phoneNumber: null }],
    ['the absorbed primary phone with a new email', { email: 'new@seed.test', phoneNumber: '5552000' }],
    ['the merging request again', MERGE],
  ];
}

/**
 * Seeds a winner and a loser, kills an instance at its `crashAt`-th write of the merge, then lets
 * a fresh instance serve `next`, then the merge request again, checking answers and data.
 */
async function crashMergeAndRecover(options: {
  winnerSize: number;
  loserSize: number;
  maxTransactionActions: number;
  crashAt: number;
  next: ModelRequest;
}): Promise<{ crashed: boolean }> {
  const t = await createTestTables();
  const { winner, loser } = await seedPair(t, options.winnerSize, options.loserSize);
  const { model, realIds } = modelOf(winner, loser);

  const doomed = instance(t, { maxTransactionActions: options.maxTransactionActions, crashAfterWrites: options.crashAt });
  const outcome = await doomed.service.identify(MERGE, deadlineIn(10_000)).then(
    (view) => ({ view }),
    (error: unknown) => ({ error }),
  );
  doomed.destroy();
  const crashed = 'error' in outcome;
  if (crashed) expect(outcome.error).toBeInstanceOf(SimulatedCrash);
  // The merge transaction is the first write: from then on the merge has happened.
  const applied: ModelRequest[] = [...winner.contacts, ...loser.contacts];
  if (options.crashAt >= 1) {
    model.identify(MERGE);
    applied.push(MERGE);
  }

  const fresh = instance(t, { maxTransactionActions: options.maxTransactionActions, clock: steppingClock(Date.parse('2026-01-01')) });
  const answer = await fresh.service.identify(options.next, deadlineIn(10_000));
  const expected = model.identify(options.next);
  applied.push(options.next);
  if (expected.outcome === 'newSecondary' || expected.outcome === 'newPrimary') {
    realIds.push(Math.max(answer.primaryContactId, ...answer.secondaryContactIds));
  }
  expect(answer).toEqual(translate(expected.view, realIds));
  const afterNext = await audit(fresh.db, t.tables, [], { requests: applied });
  expect(afterNext.violations).toEqual([]);

  const again = await fresh.service.identify(MERGE, deadlineIn(10_000));
  expect(again).toEqual(translate(model.identify(MERGE).view, realIds));
  applied.push(MERGE);
  const final = await audit(fresh.db, t.tables, [], { requests: applied });
  expect(final.violations).toEqual([]);
  expect(final.identities).toBe(1);
  expect(final.contacts).toBe(model.contacts.length);
  fresh.destroy();
  return { crashed };
}

/** Writes of an uninterrupted merge of the same shape (the number of crash points). */
async function writesOfMerge(winnerSize: number, loserSize: number, maxTransactionActions: number): Promise<number> {
  const t = await createTestTables();
  await seedPair(t, winnerSize, loserSize);
  const probe = instance(t, { maxTransactionActions });
  await probe.service.identify(MERGE, deadlineIn(10_000));
  const writes = probe.writes();
  probe.destroy();
  return writes;
}

describe('a crash at any write of a merge', () => {
  // Small transactions (6 actions) make a 7-contact identity need a recorded re-link finished in
  // several steps, so that every step can be crashed in turn at little cost.
  const small = { winnerSize: 2, loserSize: 7, maxTransactionActions: 6 };

  it('is repaired by the next request touching either identity (every crash point, small transactions)', async () => {
    const total = await writesOfMerge(small.winnerSize, small.loserSize, small.maxTransactionActions);
    // merge transaction + at least two re-link steps + REMOVE relink
    expect(total).toBeGreaterThanOrEqual(4);
    const cases = touches(small.loserSize);
    let crashes = 0;
    for (let crashAt = 0; crashAt <= total; crashAt++) {
      // Each crash point is followed once by a request touching only the surviving identity and
      // once by one touching only the absorbed identity (then, in both, the merge request again).
      for (const [, next] of [cases[0]!, cases[1 + (crashAt % 2)]!]) {
        const { crashed } = await crashMergeAndRecover({ ...small, crashAt, next });
        if (crashed) crashes++;
      }
    }
    // Every crash point killed the instance, including right after its last write.
    expect(crashes).toBe((total + 1) * 2);
  }, 120_000);

  it('is repaired at every crash point with the real transaction limit (absorbed side of 110)', async () => {
    const real = { winnerSize: 3, loserSize: MAX_TRANSACTION_ACTIONS + 10, maxTransactionActions: MAX_TRANSACTION_ACTIONS };
    const total = await writesOfMerge(real.winnerSize, real.loserSize, real.maxTransactionActions);
    expect(total).toBeGreaterThanOrEqual(4);
    const cases = touches(real.loserSize);
    for (let crashAt = 0; crashAt <= total; crashAt++) {
      const [, next] = cases[crashAt % cases.length]!;
      const { crashed } = await crashMergeAndRecover({ ...real, crashAt, next });
      expect(crashed).toBe(true);
    }
  }, 120_000);

  it('is repaired when several instances meet the unfinished re-link at once', async () => {
    const t = await createTestTables();
    const { winner, loser } = await seedPair(t, 2, 7);
    const doomed = instance(t, { maxTransactionActions: 6, crashAfterWrites: 1 });
    await expect(doomed.service.identify(MERGE, deadlineIn(10_000))).rejects.toBeInstanceOf(SimulatedCrash);
    doomed.destroy();
    const { model, realIds } = modelOf(winner, loser);
    const expected = translate(model.identify(MERGE).view, realIds);
    const helpers = Array.from({ length: 6 }, () => instance(t, { maxTransactionActions: 6 }));
    const requests = [
      { email: 'w1@seed.test', phoneNumber: null },
      { email: 'l3@seed.test', phoneNumber: null },
      { email: null, phoneNumber: '5552000' },
      { email: null, phoneNumber: '5551000' },
      MERGE,
      { email: 'l6@seed.test', phoneNumber: '5551000' },
    ];
    const answers = await Promise.all(helpers.map((h, i) => h.service.identify(requests[i]!, deadlineIn(10_000))));
    for (const answer of answers) expect(answer).toEqual(expected);
    const report = await audit(helpers[0]!.db, t.tables, [], { requests: [...winner.contacts, ...loser.contacts, ...requests] });
    expect(report.violations).toEqual([]);
    helpers.forEach((h) => h.destroy());
  });
});

describe('a crash around a single-transaction write', () => {
  // Writes of a fresh instance: 1 = the id-block reservation, 2 = the transaction.
  for (const crashAt of [0, 1, 2]) {
    it(`new primary, crash at write ${crashAt}: the retried request creates exactly one contact`, async () => {
      const t = await createTestTables();
      const request = { email: 'doc@hillvalley.edu', phoneNumber: '5550100' };
      const doomed = instance(t, { crashAfterWrites: crashAt });
      await expect(doomed.service.identify(request, deadlineIn(10_000))).rejects.toBeInstanceOf(SimulatedCrash);
      doomed.destroy();
      const fresh = instance(t);
      const view = await fresh.service.identify(request, deadlineIn(10_000));
      expect(view).toEqual({ ...view, emails: [request.email], phoneNumbers: [request.phoneNumber], secondaryContactIds: [] });
      const report = await audit(fresh.db, t.tables, [], { requests: [request] });
      expect(report.violations).toEqual([]);
      expect(report.contacts).toBe(1);
      fresh.destroy();
    });

    it(`new secondary, crash at write ${crashAt}: the retried request creates exactly one secondary`, async () => {
      const t = await createTestTables();
      const seeder = instance(t);
      const seeded = await seedIdentity(seeder.db, t.tables, sharedPhoneContacts('s', '5550200', 3), OLDER);
      seeder.destroy();
      const request = { email: 'marty@hillvalley.edu', phoneNumber: '5550200' };
      const doomed = instance(t, { crashAfterWrites: crashAt });
      await expect(doomed.service.identify(request, deadlineIn(10_000))).rejects.toBeInstanceOf(SimulatedCrash);
      doomed.destroy();
      const fresh = instance(t);
      const view = await fresh.service.identify(request, deadlineIn(10_000));
      expect(view.primaryContactId).toBe(seeded.primaryId);
      expect(view.emails).toEqual(['s0@seed.test', 's1@seed.test', 's2@seed.test', request.email]);
      expect(view.secondaryContactIds).toHaveLength(3);
      const report = await audit(fresh.db, t.tables, [], { requests: [...seeded.contacts, request] });
      expect(report.violations).toEqual([]);
      expect(report.contacts).toBe(4);
      fresh.destroy();
    });
  }
});
