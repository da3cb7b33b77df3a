/**
 * The import's outcome equals its definition: the contacts that replaying the valid records one by
 * one through /identify, in createdAt order with ties in file order, would have created — ids
 * included (the import allocates its ids in replay order from one reserved range, as a sequential
 * replay with one id per counter write does). A 20,000-record generated sample against SPEC's
 * reference model (test/support/model.ts, independent of lib/; fast enough for every run), a
 * 600-record sample replayed strictly one by one through the real service over DynamoDB Local and
 * compared item by item, and a crafted file with large identities and a large merge (the chunked
 * write path and the reference's re-link path).
 */
import { describe, expect, it } from 'vitest';
import { writeGenerated } from '../../scripts/import/generate';
import { createTestTables } from '../support/dynamo';
import { checkInvariants, snapshot } from '../support/snapshot';
import { asModelRows, comparable, importInto, modelReplay, referenceReplay, tempFile } from './helpers';

describe('bulk import equals the sequential replay through /identify', () => {
  it('on a 20,000-record generated sample, against SPEC\'s reference model', async () => {
    const file = tempFile('sample.ndjson');
    await writeGenerated(file, { records: 20_000, seed: 7 });
    const imported = await createTestTables();

    const summary = await importInto(imported, file);
    expect(summary.status).toBe('complete');
    expect(summary.rejected).toBeGreaterThan(0);
    expect(summary.idRange).toEqual({ first: 1, last: summary.contactsCreated });

    const got = await snapshot(imported);
    checkInvariants(got);
    const want = await modelReplay(file);
    expect(want.length).toBeGreaterThan(10_000);
    expect(got.contacts.length).toBe(want.length);
    expect(asModelRows(got)).toEqual(want);
    // The import reserved exactly its range of ids.
    expect(got.counters).toEqual([{ name: 'contactId', value: summary.contactsCreated }]);
  }, 300_000);

  it('ids included, on a 600-record sample replayed strictly one by one', async () => {
    const file = tempFile('small.ndjson');
    await writeGenerated(file, { records: 600, seed: 11 });
    const [imported, reference] = await Promise.all([createTestTables(), createTestTables()]);
    const summary = await importInto(imported, file);
    const startedAt = await referenceReplay(reference, file);
    const [g, w] = comparable(await snapshot(imported), await snapshot(reference), startedAt);
    expect(g).toEqual(w);
  }, 180_000);

  it('with identities larger than one transaction and a merge of two of them', async () => {
    // Identity A: 130 orders on one phone, each with a new email (130 contacts, 131 claims).
    // Identity B: 120 orders on another phone. Then one order joins A's email to B's phone:
    // B (newer) is absorbed by A, 119 secondaries re-linked (more than one transaction holds).
    const lines: string[] = [];
    const at = (minutes: number) => new Date(Date.parse('2022-01-01T00:00:00Z') + minutes * 60_000).toISOString();
    for (let i = 0; i < 130; i++) lines.push(JSON.stringify({ email: `a${i}@a.example`, phoneNumber: '5550001', createdAt: at(i) }));
    for (let i = 0; i < 120; i++) lines.push(JSON.stringify({ email: `b${i}@b.example`, phoneNumber: '5550002', createdAt: at(500 + i) }));
    lines.push(JSON.stringify({ email: 'a3@a.example', phoneNumber: '5550002', createdAt: at(1000) }));
    lines.push(JSON.stringify({ email: 'late@c.example', phoneNumber: '5550002', createdAt: at(1001) }));
    const file = tempFile('large.ndjson', `${lines.reverse().join('\n')}\n`);
    const [imported, reference] = await Promise.all([createTestTables(), createTestTables()]);

    const summary = await importInto(imported, file);
    const startedAt = await referenceReplay(reference, file);
    expect(summary).toMatchObject({ status: 'complete', identities: 1, merges: 1, largestIdentity: 251 });
    const got = await snapshot(imported);
    checkInvariants(got);
    const [g, w] = comparable(got, await snapshot(reference), startedAt);
    expect(g).toEqual(w);
  }, 60_000);
});
