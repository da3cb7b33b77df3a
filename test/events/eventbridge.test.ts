/**
 * The identity-events function's EventBridge side, on the error paths DynamoDB Local and the local
 * sink cannot produce: PutEvents throttled as a whole, PutEvents with FailedEntryCount (some entries
 * refused), and the 10-entry / 256 KB request limits. aws-sdk-client-mock stands in for EventBridge
 * only; the records are the stream-record fixture.
 */
import { EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { handler } from '../../functions/identity-events';
import { toChangeEvent, type Change } from '../../lib/events/change';
import { entrySize, eventBridgePublisher, MAX_PUT_BYTES, putBatches, toEntry } from '../../lib/events/eventbridge';
import { processStreamBatch, recordHandler, type ChangeStreamRecord } from '../../lib/events/stream';
import fixture from './changes-stream.json';
import { lambdaContext } from '../support/events';

const eventBridge = mockClient(EventBridgeClient);
const event = fixture as unknown as DynamoDBStreamEvent;
const [created, merged] = fixture.Records as ChangeStreamRecord[];

beforeEach(() => {
  eventBridge.reset();
  process.env.EVENT_BUS_NAME = 'test-bus';
  process.env.LOG_LEVEL = 'error';
});
afterEach(() => {
  delete process.env.EVENT_BUS_NAME;
});

const throttled = () => Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } });

describe('identity-events handler', () => {
  it('puts one entry per change on the bus, in order, and reports no failure', async () => {
    eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'a' }, { EventId: 'b' }] });
    expect(await handler(event, lambdaContext())).toEqual({ batchItemFailures: [] });
    const calls = eventBridge.commandCalls(PutEventsCommand);
    expect(calls).toHaveLength(1);
    const entries = calls[0]!.args[0].input.Entries!;
    expect(entries.map((e) => [e.EventBusName, e.Source, e.DetailType])).toEqual([
      ['test-bus', 'fluxkart.identity', 'identity.created'],
      ['test-bus', 'fluxkart.identity', 'identity.merged'],
    ]);
    expect(JSON.parse(entries[1]!.Detail!)).toEqual(recordHandler(merged!));
    expect(entries[0]!.Time).toEqual(new Date('2026-12-01T00:00:00.000Z'));
  });

  it('reports the first record when PutEvents is throttled as a whole', async () => {
    eventBridge.on(PutEventsCommand).rejects(throttled());
    expect(await handler(event, lambdaContext())).toEqual({
      batchItemFailures: [{ itemIdentifier: created!.dynamodb!.SequenceNumber }],
    });
  });

  it('reports the first refused entry when PutEvents fails partially (FailedEntryCount)', async () => {
    eventBridge.on(PutEventsCommand).resolves({
      FailedEntryCount: 1,
      Entries: [{ EventId: 'a' }, { ErrorCode: 'ThrottlingException', ErrorMessage: 'Rate exceeded' }],
    });
    expect(await handler(event, lambdaContext())).toEqual({
      batchItemFailures: [{ itemIdentifier: merged!.dynamodb!.SequenceNumber }],
    });
  });

  it('refuses to run without its bus', async () => {
    delete process.env.EVENT_BUS_NAME;
    await expect(handler(event, lambdaContext())).rejects.toThrow(/EVENT_BUS_NAME/);
  });
});

describe('PutEvents requests', () => {
  const change = (version: number, moved = 1): Change => ({
    kind: 'merged',
    primaryContactId: 1,
    version,
    at: '2026-12-01T00:00:00.000Z',
    absorbedPrimaryContactId: 100 + version,
    movedContactIds: Array.from({ length: moved }, (_, i) => 100_000 + i),
  });

  it('sends at most 10 entries per request and stops at the first failing request', async () => {
    const records: ChangeStreamRecord[] = Array.from({ length: 25 }, (_, i) => ({
      eventName: 'INSERT',
      dynamodb: {
        SequenceNumber: String(1000 + i),
        NewImage: {
          identityId: { N: '1' },
          version: { N: String(i + 1) },
          kind: { S: 'erased' },
          at: { S: '2026-12-01T00:00:00.000Z' },
          contactIds: { L: [{ N: '1' }] },
        },
      },
    }));
    eventBridge
      .on(PutEventsCommand)
      .resolvesOnce({ FailedEntryCount: 0, Entries: [] })
      .rejectsOnce(throttled())
      .resolves({ FailedEntryCount: 0, Entries: [] });
    const response = await processStreamBatch(records, eventBridgePublisher(new EventBridgeClient({ region: 'eu-west-1' }), 'bus'));
    const calls = eventBridge.commandCalls(PutEventsCommand);
    expect(calls.map((c) => c.args[0].input.Entries!.length)).toEqual([10, 10]);
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: '1010' }] });
  });

  it('splits requests at 256 KB, and each entry is counted as EventBridge counts it', () => {
    // A merge that moved 4,000 contacts (about the largest identity an item holds) is ~28 KB.
    const big = toEntry(toChangeEvent(change(1, 4000)), 'bus');
    expect(entrySize(big)).toBeGreaterThan(25_000);
    expect(entrySize(big)).toBeLessThan(MAX_PUT_BYTES / 4);
    const entries: PutEventsRequestEntry[] = Array.from({ length: 10 }, (_, i) => toEntry(toChangeEvent(change(i + 1, 4000)), 'bus'));
    const batches = putBatches(entries);
    expect(batches.length).toBeGreaterThan(1);
    for (const batch of batches) {
      expect(batch.length).toBeLessThanOrEqual(10);
      expect(batch.reduce((sum, e) => sum + entrySize(e), 0)).toBeLessThanOrEqual(MAX_PUT_BYTES);
    }
    expect(batches.flat()).toEqual(entries);
  });
});
