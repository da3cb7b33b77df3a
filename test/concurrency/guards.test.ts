/**
 * The version guards of the identity writes, each forced deterministically (no randomness, no
 * timing): a write decided on an identity that changed since it was read must fail with
 * WriteConflict and write nothing, so the service re-reads. The interleaving is made by hand:
 * read, let another request change the identity, then send the write decided on the stale read.
 * - the winner's version check in a merge (and the loser's);
 * - the version check when adding a secondary.
 * Each test fails on every run if its guard is removed from the store's condition expressions.
 */
import { describe, expect, it } from 'vitest';
import { WriteConflict } from '../../lib/errors';
import type { Identity } from '../../lib/model';
import { addSecondary, merge } from '../../lib/reconcile';
import { deadlineIn } from '../../lib/retry';
import { createTestTables } from '../support/dynamo';
import { instance } from '../support/instances';
import { seedIdentity, sharedPhoneContacts } from '../support/seed';
import { snapshot } from '../support/snapshot';

const NOW = new Date('2026-01-01T00:00:00.000Z');

async function setup() {
  const t = await createTestTables();
  const inst = instance(t);
  const winner = await seedIdentity(inst.db, t.tables, sharedPhoneContacts('gw', '5571000', 2), new Date('2025-01-01T00:00:00Z'));
  const loser = await seedIdentity(inst.db, t.tables, sharedPhoneContacts('gl', '5572000', 2), new Date('2025-02-01T00:00:00Z'));
  const read = async (id: number): Promise<Identity> => (await inst.service.identitiesOf([id], { repair: false })).get(id)!;
  return { t, inst, winner, loser, read };
}

describe('merge: the version guards', () => {
  it("fails with WriteConflict and writes nothing when the winner changed since it was read", async () => {
    const { t, inst, winner, loser, read } = await setup();
    const staleWinner = await read(winner.primaryId);
    const freshLoser = await read(loser.primaryId);
    // Another request adds a secondary to the winner in between.
    await inst.service.identify({ email: 'between@guard.test', phoneNumber: '5571000' }, deadlineIn(10_000));
    expect((await read(winner.primaryId)).version).toBe(staleWinner.version + 1);
    const before = await snapshot(t);
    await expect(inst.store.merge(staleWinner, freshLoser, merge(staleWinner, freshLoser, NOW))).rejects.toBeInstanceOf(WriteConflict);
    expect(await snapshot(t)).toEqual(before);
    inst.destroy();
  });

  it('fails with WriteConflict and writes nothing when the loser changed since it was read', async () => {
    const { t, inst, winner, loser, read } = await setup();
    const freshWinner = await read(winner.primaryId);
    const staleLoser = await read(loser.primaryId);
    await inst.service.identify({ email: 'between@guard.test', phoneNumber: '5572000' }, deadlineIn(10_000));
    const before = await snapshot(t);
    await expect(inst.store.merge(freshWinner, staleLoser, merge(freshWinner, staleLoser, NOW))).rejects.toBeInstanceOf(WriteConflict);
    expect(await snapshot(t)).toEqual(before);
    inst.destroy();
  });

  it('commits when neither changed (the same call, fresh reads)', async () => {
    const { inst, winner, loser, read } = await setup();
    const w = await read(winner.primaryId);
    const l = await read(loser.primaryId);
    await expect(inst.store.merge(w, l, merge(w, l, NOW))).resolves.toBeNull();
    expect((await read(loser.primaryId)).primary.id).toBe(winner.primaryId);
    inst.destroy();
  });
});

describe('new secondary: the version guard', () => {
  it('fails with WriteConflict and writes nothing when the identity changed since it was read', async () => {
    const { t, inst, winner, read } = await setup();
    const stale = await read(winner.primaryId);
    await inst.service.identify({ email: 'between@guard.test', phoneNumber: '5571000' }, deadlineIn(10_000));
    const before = await snapshot(t);
    const added = addSecondary(stale, { email: 'late@guard.test', phoneNumber: '5571000' }, await inst.store.allocateContactId(), NOW);
    await expect(
      inst.store.addSecondary(stale, added.contact, { email: added.newEmail, phoneNumber: added.newPhoneNumber }),
    ).rejects.toBeInstanceOf(WriteConflict);
    expect(await snapshot(t)).toEqual(before);
    inst.destroy();
  });

  it('commits when the identity did not change (the same call, a fresh read)', async () => {
    const { inst, winner, read } = await setup();
    const fresh = await read(winner.primaryId);
    const added = addSecondary(fresh, { email: 'ok@guard.test', phoneNumber: '5571000' }, await inst.store.allocateContactId(), NOW);
    await inst.store.addSecondary(fresh, added.contact, { email: added.newEmail, phoneNumber: added.newPhoneNumber });
    expect((await read(winner.primaryId)).version).toBe(fresh.version + 1);
    inst.destroy();
  });
});
