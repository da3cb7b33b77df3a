/**
 * The seeding helper (test/support/seed.ts) writes exactly what the service writes for the same
 * requests: the large-identity tests rely on it.
 */
import { describe, expect, it } from 'vitest';
import { audit, readDataSet } from '../../scripts/audit';
import { deadlineIn } from '../../lib/retry';
import { createTestTables } from '../support/dynamo';
import { instance } from '../support/instances';
import { seedIdentity, type SeedContact } from '../support/seed';

describe('seedIdentity', () => {
  it('stores the same rows as the service given the same requests in order', async () => {
    const contacts: SeedContact[] = [
      { email: 'reseller@shop.test', phoneNumber: '5550001' },
      { email: 'a@shop.test', phoneNumber: '5550001' },
      { email: 'a@shop.test', phoneNumber: '5550002' },
      { email: 'b@shop.test', phoneNumber: '5550001' },
      { email: 'a@shop.test', phoneNumber: '5550003' },
    ];
    const start = new Date('2026-01-01T00:00:00.000Z');

    const viaService = await createTestTables();
    let tick = start.getTime();
    const { service, db: serviceDb, destroy } = instance(viaService, { clock: () => new Date(tick++), idBlockSize: 50 });
    for (const c of contacts) await service.identify(c, deadlineIn(5_000));
    const expected = await readDataSet(serviceDb, viaService.tables);
    destroy();

    const seeded = await createTestTables();
    const { db, destroy: destroySeeded } = instance(seeded);
    const identity = await seedIdentity(db, seeded.tables, contacts, start);
    const actual = await readDataSet(db, seeded.tables);
    expect(identity.ids).toEqual([1, 2, 3, 4, 5]);
    expect(actual.contacts).toEqual(expected.contacts);
    expect(actual.emails).toEqual(expect.arrayContaining(expected.emails));
    expect(actual.emails).toHaveLength(expected.emails.length);
    expect(actual.phones).toEqual(expect.arrayContaining(expected.phones));
    expect(actual.phones).toHaveLength(expected.phones.length);
    expect((await audit(db, seeded.tables)).violations).toEqual([]);
    destroySeeded();
  });
});
