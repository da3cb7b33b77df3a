/**
 * The import against a store that is not its own: a target holding contacts is refused before
 * anything is written; a dry run writes nothing; transactions committed by an earlier run are
 * recognised (nothing written twice); and values claimed by live contacts during the import are
 * never overwritten: a small identity is left out, a large one (several transactions) is rolled
 * back, both reported, the rest written.
 */
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createDocumentClient } from '../../lib/dynamo-client';
import { buildPlan, ItemBuilder } from '../../lib/import/plan';
import { readRecords } from '../../lib/import/records';
import { replay } from '../../lib/import/replay';
import { ImportRefused } from '../../lib/import/run';
import { ImportWriter } from '../../lib/import/writer';
import { deadlineIn } from '../../lib/retry';
import { createTestService, createTestTables, type TestTables } from '../support/dynamo';
import { checkInvariants, snapshot } from '../support/snapshot';
import { importInto, tempFile } from './helpers';

const FILE = [
  { email: 'x@x.example', createdAt: '2021-01-01T00:00:00Z' },
  { email: 'v@v.example', createdAt: '2021-01-01T01:00:00Z' },
  { email: 'y1@y.example', phoneNumber: '2220001', createdAt: '2021-01-02T00:00:00Z' },
  { email: 'y2@y.example', phoneNumber: '2220001', createdAt: '2021-01-03T00:00:00Z' },
  { email: 'y3@y.example', phoneNumber: '2220001', createdAt: '2021-01-04T00:00:00Z' },
  { email: 'z@z.example', phoneNumber: '3330001', createdAt: '2021-01-05T00:00:00Z' },
]
  .map((r) => JSON.stringify(r))
  .join('\n');

async function planned(maxActions: number) {
  const { records } = await readRecords(tempFile('f.ndjson', FILE), { format: 'ndjson', now: Date.now(), onReject: () => {} });
  const result = await replay(records);
  const plan = buildPlan(result.store, maxActions);
  return { result, plan, builder: new ItemBuilder(result.store, plan, 0, maxActions) };
}

function writer(t: TestTables, builder: ItemBuilder, done = new Set<number>(), conflicts: number[] = []) {
  const stats = { identities: 0, items: 0 };
  return {
    stats,
    conflicts,
    done,
    writer: new ImportWriter({
      db: createDocumentClient(t.config()),
      tables: t.tables,
      builder,
      idRange: { first: 1, last: 6 },
      concurrency: 2,
      isDone: (seq) => done.has(seq),
      markDone: (seq) => done.add(seq),
      onConflict: (id) => conflicts.push(id),
      onTaskDone: (identities, items) => {
        stats.identities += identities;
        stats.items += items;
      },
      shouldStop: () => false,
    }),
  };
}

describe('bulk import and existing data', () => {
  it('refuses a store that already holds contacts, and writes nothing', async () => {
    const { service, ...t } = await createTestService();
    await service.identify({ email: 'live@x.example', phoneNumber: null }, deadlineIn(10_000));
    const before = await snapshot(t);
    const file = tempFile('refused.ndjson', FILE);
    await expect(importInto(t, file)).rejects.toThrow(ImportRefused);
    await expect(importInto(t, file)).rejects.toThrow(/already holds contacts/);
    expect(await snapshot(t)).toEqual(before);
    expect(existsSync(`${file}.import-state.json`)).toBe(false);
  });

  it('a dry run validates and computes but writes nothing', async () => {
    const t = await createTestTables();
    const file = tempFile('dry.ndjson', `${FILE}\n{"email":"bad"}\n`);
    const summary = await importInto(t, file, { dryRun: true, db: undefined });
    expect(summary).toMatchObject({ status: 'dry-run', valid: 6, rejected: 1, contactsCreated: 6, identities: 4, itemsWritten: 0 });
    expect(readFileSync(`${file}.rejected.ndjson`, 'utf8')).toContain('"line":7');
    expect(existsSync(`${file}.import-state.json`)).toBe(false);
    const s = await snapshot(t);
    expect([s.contacts, s.emails, s.phones, s.counters]).toEqual([[], [], [], []]);
  });

  it('recognises transactions an earlier run committed and writes nothing twice', async () => {
    const t = await createTestTables();
    // X and V packed in one transaction, Y (3 contacts, 4 claims) in 3, Z in one.
    const { plan, builder } = await planned(4);
    expect(plan.tasks.map((task) => task.transactions.length)).toEqual([1, 3, 1]);
    const first = writer(t, builder);
    await first.writer.run(plan.tasks);
    const after = await snapshot(t);
    expect(after.contacts).toHaveLength(6);
    // A rerun whose checkpoint lost every mark: every transaction is found already committed.
    const second = writer(t, builder);
    expect(await second.writer.run(plan.tasks)).toBe(true);
    expect(second.stats.items).toBe(0);
    expect(second.conflicts).toEqual([]);
    expect(await snapshot(t)).toEqual(after);
  });

  it('never overwrites a value a live contact claimed meanwhile: leaves out or rolls back that identity', async () => {
    const t = await createTestTables();
    const { plan, builder } = await planned(4);
    const db = createDocumentClient(t.config());
    // Live contacts (ids outside the import's range 1..6) claimed X's email and Y's last email
    // (which Y's second transaction holds: its first one is rolled back).
    await db.send(new PutCommand({ TableName: t.tables.emails, Item: { email: 'x@x.example', contactId: 900, primaryId: 900 } }));
    await db.send(new PutCommand({ TableName: t.tables.emails, Item: { email: 'y3@y.example', contactId: 901, primaryId: 901 } }));
    const w = writer(t, builder);
    expect(await w.writer.run(plan.tasks)).toBe(true);
    expect(w.conflicts.sort()).toEqual([1, 3]); // in-memory primary ids of X and Y
    const s = await snapshot(t);
    expect(s.contacts.map((c) => [c.id, c.email])).toEqual([[2, 'v@v.example'], [6, 'z@z.example']]);
    expect(s.emails.map((c) => [c.email, c.contactId])).toEqual([['v@v.example', 2], ['x@x.example', 900], ['y3@y.example', 901], ['z@z.example', 6]]);
    expect(s.phones.map((c) => [c.phone, c.contactId])).toEqual([['3330001', 6]]);
    db.destroy();
  });

  it('imports a CSV file into an empty store', async () => {
    const t = await createTestTables();
    const csv = FILE.split('\n').map((line) => {
      const r = JSON.parse(line);
      return [r.createdAt, r.email ?? '', r.phoneNumber ?? ''].join(',');
    });
    const file = tempFile('ok.csv', `createdAt,email,phoneNumber\n${csv.join('\n')}\n`);
    const summary = await importInto(t, file);
    expect(summary).toMatchObject({ status: 'complete', conflicts: 0, identities: 4, contactsCreated: 6 });
    checkInvariants(await snapshot(t));
  });
});
