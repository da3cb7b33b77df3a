/**
 * From DynamoDB stream records of the Changes table to published change events: the code that the
 * identity-events Lambda (functions/identity-events/) and the local stream poller
 * (lib/local/stream-poller.ts) both run. No Lambda types (records are matched structurally), no
 * EventBridge (a Publisher is passed in).
 *
 * Partial batch response, written by hand rather than with Powertools' BatchProcessor: events are
 * published in order, up to 10 per PutEvents call (BatchProcessor handles one record per call),
 * and a batch stops at its first failure, reporting that record only. Lambda then retries from that
 * record (bisecting, then the DLQ after retryAttempts), so a bad record never blocks the shard and
 * the records after it are not published ahead of it (per-identity version order is kept).
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { toChange } from '../store/dynamodb/items';
import { toChangeEvent, type ChangeEvent } from './change';

/** The part of a DynamoDB stream record (Lambda event or GetRecords answer) that is read here. */
export interface ChangeStreamRecord {
  eventName?: string;
  dynamodb?: {
    SequenceNumber?: string;
    NewImage?: Record<string, unknown>;
  };
}

/** Where events go: EventBridge in AWS, the NDJSON file and SSE feed locally. */
export interface Publisher {
  /**
   * Publishes the events in order; answers how many of them, from the first, are delivered (the
   * rest are retried by the caller: a partial answer may still have delivered some of them, which
   * consumers see as duplicates with the same eventId).
   */
  publish(events: ChangeEvent[]): Promise<{ delivered: number }>;
}

export interface BatchResponse {
  batchItemFailures: { itemIdentifier: string }[];
}

/**
 * The event of one stream record, or null for a record that is no committed change: only an
 * INSERT is one (a change record is written once; MODIFY cannot happen, REMOVE is its TTL expiry).
 * Throws on an INSERT that is not a valid change record.
 */
export function recordHandler(record: ChangeStreamRecord): ChangeEvent | null {
  if (record.eventName !== 'INSERT') return null;
  const image = record.dynamodb?.NewImage;
  if (!image) throw new Error('stream record without NewImage (the stream must be NEW_AND_OLD_IMAGES)');
  return toChangeEvent(toChange(unmarshall(image as Record<string, AttributeValue>)));
}

/** Runs a batch of stream records: derives their events, publishes them, reports the first failure. */
export async function processStreamBatch(
  records: readonly ChangeStreamRecord[],
  publisher: Publisher,
  onError: (message: string, error: unknown, sequenceNumber: string) => void = () => undefined,
): Promise<BatchResponse> {
  const derived: { event: ChangeEvent; sequenceNumber: string }[] = [];
  let failedAt: string | null = null;
  for (const record of records) {
    const sequenceNumber = record.dynamodb?.SequenceNumber ?? '';
    try {
      const event = recordHandler(record);
      if (event) derived.push({ event, sequenceNumber });
    } catch (error) {
      onError('change record could not be read', error, sequenceNumber);
      failedAt = sequenceNumber;
      break;
    }
  }
  if (derived.length > 0) {
    let delivered = 0;
    try {
      ({ delivered } = await publisher.publish(derived.map((d) => d.event)));
    } catch (error) {
      onError('publishing failed', error, derived[0]!.sequenceNumber);
    }
    // The first undelivered event comes before any unreadable record: retry from it.
    if (delivered < derived.length) failedAt = derived[delivered]!.sequenceNumber;
  }
  return { batchItemFailures: failedAt === null ? [] : [{ itemIdentifier: failedAt }] };
}
