/**
 * The stream handler on its own: a stream-record fixture (test/events/changes-stream.json, the
 * event Lambda passes for the Changes stream) through recordHandler, and the partial batch
 * response of processStreamBatch into the real local sink (an NDJSON file): in order, stopping at
 * the first record that cannot be read, so nothing after it is published ahead of it.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { eventIdOf, toChangeEvent, type Change } from '../../lib/events/change';
import { processStreamBatch, recordHandler, type ChangeStreamRecord } from '../../lib/events/stream';
import { LocalEventSink } from '../../lib/local/event-sink';
import { changeItem, toChange } from '../../lib/store/dynamodb/items';
import fixture from './changes-stream.json';

const records = fixture.Records as ChangeStreamRecord[];
const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

function sink(): LocalEventSink {
  const dir = mkdtempSync(join(tmpdir(), 'fluxkart-sink-'));
  dirs.push(dir);
  return new LocalEventSink(join(dir, 'events.ndjson'));
}
const lines = (s: LocalEventSink) =>
  readFileSync(s.file, { encoding: 'utf8', flag: 'a+' }).split('\n').filter(Boolean).map((l) => JSON.parse(l));

describe('recordHandler', () => {
  it('derives identity.created and identity.merged from INSERT records', () => {
    expect(recordHandler(records[0]!)).toEqual({
      eventId: eventIdOf(11, 1),
      type: 'identity.created',
      schemaVersion: 1,
      time: '2026-12-01T00:00:00.000Z',
      primaryContactId: 11,
      version: 1,
      values: {
        emailSha256: '5f3c1bd0b1a4f9c2f0b4d6f2a3c5e7d9b1a3c5e7f9b1d3f5a7c9e1b3d5f7a9c1',
        phoneNumberSha256: '0b14d501a594442a01c6859541bcb3e8164d183d32937b851835442f69d5c94e',
      },
    });
    expect(recordHandler(records[1]!)).toEqual({
      eventId: eventIdOf(11, 2),
      type: 'identity.merged',
      schemaVersion: 1,
      time: '2026-12-01T00:01:00.000Z',
      primaryContactId: 11,
      version: 2,
      absorbedPrimaryContactId: 27,
      movedContactIds: [27, 28, 30],
    });
  });

  it('ignores the REMOVE of an expired change record', () => {
    expect(recordHandler(records[2]!)).toBeNull();
  });

  it('gives a redelivered record the same event id, and different changes different ids', () => {
    expect(recordHandler(structuredClone(records[1]!))!.eventId).toBe(recordHandler(records[1]!)!.eventId);
    expect(eventIdOf(11, 1)).not.toBe(eventIdOf(11, 2));
    expect(eventIdOf(11, 2)).not.toBe(eventIdOf(112, 2));
    expect(eventIdOf(1, 1)).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('refuses an INSERT that is no change record, and one without its new image', () => {
    expect(() => recordHandler({ eventName: 'INSERT', dynamodb: { NewImage: { kind: { S: 'bogus' } } } })).toThrow();
    expect(() => recordHandler({ eventName: 'INSERT', dynamodb: {} })).toThrow(/NewImage/);
  });

  it('round-trips every kind of change through the stored item', () => {
    const changes: Change[] = [
      { kind: 'created', primaryContactId: 1, version: 1, at: '2026-01-01T00:00:00.000Z', values: { emailSha256: 'a', phoneNumberSha256: null } },
      { kind: 'contactAdded', primaryContactId: 1, version: 2, at: '2026-01-01T00:00:01.000Z', contactId: 2, values: { emailSha256: null, phoneNumberSha256: 'b', email: null, phoneNumber: '555' } },
      { kind: 'merged', primaryContactId: 1, version: 3, at: '2026-01-01T00:00:02.000Z', absorbedPrimaryContactId: 3, movedContactIds: [3, 4] },
      { kind: 'erased', primaryContactId: 1, version: 4, at: '2026-01-01T00:00:03.000Z', erasedContactIds: [1, 2, 3, 4] },
    ];
    for (const change of changes) {
      expect(toChange(changeItem(change))).toEqual(change);
      expect(changeItem(change).expiresAt).toBe(Date.parse(change.at) / 1000 + 7 * 24 * 3600);
    }
  });
});

describe('processStreamBatch into the local sink', () => {
  it('publishes every event in order and reports no failure', async () => {
    const s = sink();
    expect(await processStreamBatch(records, s)).toEqual({ batchItemFailures: [] });
    expect(lines(s)).toEqual([records[0]!, records[1]!].map((r) => {
      const e = recordHandler(r)!;
      return { version: '0', id: e.eventId, 'detail-type': e.type, source: 'fluxkart.identity', time: e.time, detail: e };
    }));
  });

  it('stops at a bad record: what came before is published, the bad one is reported, nothing after it', async () => {
    const s = sink();
    const bad: ChangeStreamRecord = { eventName: 'INSERT', dynamodb: { SequenceNumber: '111100000000000000001.5', NewImage: { at: { S: 'x' } } } };
    const errors: string[] = [];
    const response = await processStreamBatch([records[0]!, bad, records[1]!], s, (m, _e, seq) => errors.push(`${m} ${seq}`));
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: '111100000000000000001.5' }] });
    expect(lines(s).map((l) => l.detail.type)).toEqual(['identity.created']);
    expect(errors).toEqual(['change record could not be read 111100000000000000001.5']);
    // The event of a bad change comes from the change record alone: mapping it again fails the same way.
    expect(() => toChangeEvent(toChange({ identityId: 1 }))).toThrow();
  });
});
