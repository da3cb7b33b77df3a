/**
 * The EventBridge side of change events: one PutEvents entry per event (source fluxkart.identity,
 * detail-type = the event type, detail = the event), sent in order in requests of at most 10
 * entries and 256 KB. No stream reading here (lib/events/stream.ts).
 */
import { PutEventsCommand, type EventBridgeClient, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { EVENT_SOURCE, type ChangeEvent } from './change';
import type { Publisher } from './stream';

/** PutEvents limits: entries per request, and bytes per request (entry sizes as EventBridge counts them). */
export const MAX_ENTRIES_PER_PUT = 10;
export const MAX_PUT_BYTES = 256 * 1024;

export function toEntry(event: ChangeEvent, busName: string): PutEventsRequestEntry {
  return {
    EventBusName: busName,
    Source: EVENT_SOURCE,
    DetailType: event.type,
    Detail: JSON.stringify(event),
    Time: new Date(event.time),
  };
}

/** An entry's size as EventBridge computes it (Time counts 14 bytes). */
export function entrySize(entry: PutEventsRequestEntry): number {
  const bytes = (s: string | undefined) => (s ? Buffer.byteLength(s, 'utf8') : 0);
  return 14 + bytes(entry.Source) + bytes(entry.DetailType) + bytes(entry.Detail) + bytes(entry.EventBusName);
}

/** Consecutive groups of entries that each fit one PutEvents request. */
export function putBatches(entries: PutEventsRequestEntry[]): PutEventsRequestEntry[][] {
  const batches: PutEventsRequestEntry[][] = [];
  let current: PutEventsRequestEntry[] = [];
  let size = 0;
  for (const entry of entries) {
    const s = entrySize(entry);
    if (s > MAX_PUT_BYTES) throw new Error(`change event of ${s} bytes exceeds the PutEvents limit`);
    if (current.length === MAX_ENTRIES_PER_PUT || size + s > MAX_PUT_BYTES) {
      batches.push(current);
      current = [];
      size = 0;
    }
    current.push(entry);
    size += s;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

/**
 * Publishes to the bus, request after request, and stops at the first entry that EventBridge did
 * not take (FailedEntryCount > 0: throttled or internal failure per entry) or the first request that
 * failed as a whole (after the SDK's own retries): everything from there is retried by the stream.
 */
export function eventBridgePublisher(
  client: EventBridgeClient,
  busName: string,
  onFailure: (detail: Record<string, unknown>) => void = () => undefined,
): Publisher {
  return {
    async publish(events) {
      let delivered = 0;
      for (const batch of putBatches(events.map((e) => toEntry(e, busName)))) {
        let out;
        try {
          out = await client.send(new PutEventsCommand({ Entries: batch }));
        } catch (error) {
          onFailure({ error: (error as Error).name, message: (error as Error).message, delivered });
          return { delivered };
        }
        if ((out.FailedEntryCount ?? 0) > 0) {
          const first = (out.Entries ?? []).findIndex((e) => e.ErrorCode !== undefined && e.ErrorCode !== null);
          const ok = first < 0 ? 0 : first;
          const failed = out.Entries?.[ok];
          onFailure({ error: failed?.ErrorCode, message: failed?.ErrorMessage, failedEntries: out.FailedEntryCount, delivered: delivered + ok });
          return { delivered: delivered + ok };
        }
        delivered += batch.length;
      }
      return { delivered };
    },
  };
}
