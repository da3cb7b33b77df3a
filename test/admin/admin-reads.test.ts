/**
 * The admin reads (lib/admin-reads.ts, the AdminService's read side) against DynamoDB Local, each
 * test on fresh tables: listing under concurrent inserts, and lookups that write nothing.
 * The admin actions are in test/admin/admin-service.test.ts.
 */
import { BatchWriteCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { NotFoundError } from '../../lib/errors';
import type { IdentifyRequest } from '../../lib/validation';
import { createTestTables } from '../support/dynamo';
import { instance, SimulatedCrash } from '../support/instances';
import { seedIdentity, sharedPhoneContacts } from '../support/seed';
import { setNextContactId, snapshot } from '../support/snapshot';
import { ADMIN, adminInstance, deadline, scanEverything } from './helpers';

const req = (email: string | null, phoneNumber: string | null): IdentifyRequest => ({ email, phoneNumber });

describe('GET /contacts: listing', () => {
  it('pages through contacts in id order across buckets without skipping or repeating rows while contacts are inserted', async () => {
    const t = await createTestTables();
    // Three "function instances" reserving blocks of 1500 ids: ids 1.., 1501.., 3001.. land in
    // buckets 0, 1 and 3 (bucket 2 stays empty).
    const writers = [0, 1, 2].map(() => instance(t, { idBlockSize: 1500 }));
    const existing: number[] = [];
    for (let i = 0; i < 5; i++) {
      for (const [n, w] of writers.entries()) {
        existing.push((await w.service.identify(req(`pre${n}-${i}@list.test`, null), deadline())).primaryContactId);
      }
    }
    expect(new Set(existing.map((id) => Math.floor(id / 1000)))).toEqual(new Set([0, 1, 3]));
    const { admin } = adminInstance(t);
    const erased = existing[4]!;
    await admin.erase(erased, ADMIN, deadline());

    const seen: number[] = [];
    let inserts = 0;
    let afterId = 0;
    let pages = 0;
    for (;;) {
      // Each page is read while two contacts are being inserted, by different instances.
      const [page] = await Promise.all([
        admin.listContacts({ afterId, limit: 4, includeDeleted: false }, deadline()),
        ...[0, 1].map(() => {
          const w = writers[inserts % 3]!;
          const email = `new${inserts++}@list.test`;
          return w.service.identify(req(email, null), deadline());
        }),
      ]);
      pages++;
      expect(page.items.length).toBeLessThanOrEqual(4);
      seen.push(...page.items.map((c) => c.id));
      if (!page.hasMore) break;
      afterId = page.items.at(-1)!.id;
    }
    expect(pages).toBeGreaterThan(2);
    // Ascending across all pages: nothing repeated; every contact that existed is there once.
    expect(seen).toEqual([...new Set(seen)].sort((a, b) => a - b));
    for (const id of existing.filter((id) => id !== erased)) expect(seen.filter((s) => s === id)).toHaveLength(1);
    expect(seen).not.toContain(erased);

    const all = await admin.listContacts({ afterId: 0, limit: 100, includeDeleted: true }, deadline());
    const row = all.items.find((c) => c.id === erased)!;
    expect(row).toMatchObject({ id: erased, email: null, phoneNumber: null, linkPrecedence: 'primary' });
    expect(row.deletedAt).toEqual(expect.any(String));
    expect(all.hasMore).toBe(false);
    for (const w of writers) w.destroy();
  });

  it('ends a page early at a bucket boundary after a bounded number of Queries when ids are sparse, and resumes there', async () => {
    const t = await createTestTables();
    const writer = instance(t, { idBlockSize: 1 });
    const first = await writer.service.identify(req('first@sparse.test', null), deadline());
    await setNextContactId(t, 39_500); // 38 empty buckets in between, as burnt id blocks leave them
    const last = await writer.service.identify(req('last@sparse.test', null), deadline());
    const { admin } = adminInstance(t);
    const pages = [];
    let afterId = 0;
    for (;;) {
      const page = await admin.listContacts({ afterId, limit: 10, includeDeleted: false }, deadline());
      pages.push(page.items.map((c) => c.id));
      if (!page.hasMore) break;
      expect(page.resumeAfter! % 1000).toBe(999); // a bucket boundary
      afterId = page.resumeAfter!;
    }
    expect(pages.length).toBeGreaterThan(1);
    expect(pages.flat()).toEqual([first.primaryContactId, last.primaryContactId]);
    writer.destroy();
  });

  it('spends at most 25 Queries per page, counting every Query inside a bucket, and resumes where it stopped', async () => {
    const t = await createTestTables();
    const writer = instance(t);
    // 150 erased rows in one bucket before the only live one: with limit 1, each Query evaluates 4
    // rows (Limit counts rows before the filter), so the live row is 38 Queries away.
    const at = '2025-01-01T00:00:00.000Z';
    const tombstones = Array.from({ length: 150 }, (_, i) => ({
      bucket: 0, id: i + 1, linkPrecedence: 'primary', createdAt: at, updatedAt: at, deletedAt: at, erasedIds: [i + 1],
    }));
    const live = { bucket: 0, id: 151, email: 'live@cap.test', linkPrecedence: 'primary', createdAt: at, updatedAt: at, members: [], ver: 1 };
    for (let i = 0; i < tombstones.length; i += 25) {
      await writer.db.send(new BatchWriteCommand({ RequestItems: { [t.tables.contacts]: tombstones.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })) } }));
    }
    await writer.db.send(new PutCommand({ TableName: t.tables.contacts, Item: live }));
    await setNextContactId(t, 152);

    const { admin, db } = adminInstance(t);
    let queries = 0;
    db.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'QueryCommand') queries++;
        return next(args);
      },
      { step: 'initialize', name: 'queryCounter' },
    );
    const seen: number[] = [];
    let afterId = 0;
    for (let pages = 1; ; pages++) {
      queries = 0;
      const page = await admin.listContacts({ afterId, limit: 1, includeDeleted: false }, deadline());
      expect(queries, `page ${pages}`).toBeLessThanOrEqual(25);
      seen.push(...page.items.map((c) => c.id));
      if (!page.hasMore) {
        expect(pages).toBeGreaterThan(1);
        break;
      }
      expect(page.resumeAfter!).toBeGreaterThan(afterId);
      afterId = page.resumeAfter!;
    }
    expect(seen).toEqual([151]);
    writer.destroy();
  });
});

describe('lookups', () => {
  it('answer identities by email, phone and contact id, and write nothing', async () => {
    const t = await createTestTables();
    const { service, admin } = adminInstance(t);
    const doc = await service.identify(req('doc@hillvalley.edu', '5550001'), deadline());
    await service.identify(req('emmett@hillvalley.edu', '5550001'), deadline());
    await service.identify(req('marty@hillvalley.edu', '5550002'), deadline());
    const merged = await service.identify(req('doc@hillvalley.edu', '5550002'), deadline()); // rule 3
    await service.identify(req('biff@hillvalley.edu', null), deadline()); // another identity

    const before = await scanEverything(t);
    const byEmail = await admin.identityByValue(req('marty@hillvalley.edu', null), deadline());
    const byPhone = await admin.identityByValue(req(null, '5550001'), deadline());
    expect(byEmail.view).toEqual(merged);
    expect(byPhone).toEqual(byEmail);
    expect(byEmail.contacts.map((c) => c.id)).toEqual([merged.primaryContactId, ...merged.secondaryContactIds]);
    expect(byEmail.contacts[0]).toMatchObject({ id: doc.primaryContactId, linkedId: null, linkPrecedence: 'primary' });
    for (const c of byEmail.contacts.slice(1)) {
      expect(c).toMatchObject({ linkedId: doc.primaryContactId, linkPrecedence: 'secondary', deletedAt: null });
    }
    for (const c of byEmail.contacts) {
      expect(await admin.identityByContact(c.id, deadline())).toEqual(byEmail);
      expect(await admin.getContact(c.id, deadline())).toEqual(c);
    }
    await expect(admin.identityByValue(req('nobody@hillvalley.edu', null), deadline())).rejects.toThrow(NotFoundError);
    await expect(admin.identityByValue(req(null, '5559999'), deadline())).rejects.toThrow(NotFoundError);
    await expect(admin.identityByContact(999_999, deadline())).rejects.toThrow(NotFoundError);
    await expect(admin.getContact(999_999, deadline())).rejects.toThrow(NotFoundError);
    await admin.listContacts({ afterId: 0, limit: 2, includeDeleted: true }, deadline());
    await admin.listAudit({ afterSeq: 0, limit: 10 }, deadline());
    expect(await scanEverything(t)).toEqual(before);
  });

  it('show an identity whose re-linking a crashed merge left pending as merged, and still write nothing', async () => {
    const t = await createTestTables();
    const seeder = instance(t);
    const winner = await seedIdentity(seeder.db, t.tables, sharedPhoneContacts('w', '5551000', 2), new Date('2025-01-01T00:00:00Z'));
    const loser = await seedIdentity(seeder.db, t.tables, sharedPhoneContacts('l', '5552000', 6), new Date('2025-02-01T00:00:00Z'));
    // A merge whose transaction has room for only a few re-links, killed right after it committed.
    const crashing = instance(t, { maxTransactionActions: 4, crashAfterWrites: 1 });
    await expect(crashing.service.identify(req('w0@seed.test', '5552000'), deadline())).rejects.toThrow(SimulatedCrash);
    const stale = (await snapshot(t)).contacts.filter((c) => Number(c.linkedId) === loser.primaryId);
    expect(stale.length).toBeGreaterThan(0); // the pending re-link is really there

    const { admin } = adminInstance(t);
    const before = await scanEverything(t);
    const details = await admin.identityByContact(loser.ids.at(-1)!, deadline());
    expect(details.view.primaryContactId).toBe(winner.primaryId);
    expect(details.view.secondaryContactIds).toEqual([...winner.ids.slice(1), ...loser.ids]);
    for (const c of details.contacts.slice(1)) expect(c.linkedId).toBe(winner.primaryId);
    expect(await admin.identityByValue(req('l5@seed.test', null), deadline())).toEqual(details);
    expect(await scanEverything(t)).toEqual(before);
    seeder.destroy();
    crashing.destroy();
  });
});
