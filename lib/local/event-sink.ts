/**
 * The local sink of change events (what EventBridge is in AWS): every published event is appended
 * to an NDJSON file, one line per event in the shape an EventBridge rule target receives
 * ({version, id, detail-type, source, time, detail}; `id` is the stable eventId), and handed to
 * the live subscribers (the SSE feed, lib/local/event-feed.ts). The last events are kept in memory
 * so that a reconnecting feed can resume after Last-Event-ID. No stream reading here.
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { EVENT_SOURCE, type ChangeEvent } from '../events/change';
import type { Publisher } from '../events/stream';

export interface EventEnvelope {
  version: '0';
  id: string;
  'detail-type': ChangeEvent['type'];
  source: typeof EVENT_SOURCE;
  time: string;
  detail: ChangeEvent;
}

export function toEnvelope(event: ChangeEvent): EventEnvelope {
  return { version: '0', id: event.eventId, 'detail-type': event.type, source: EVENT_SOURCE, time: event.time, detail: event };
}

/** Events kept for a feed that reconnects with Last-Event-ID. */
const RECENT = 500;

export class LocalEventSink implements Publisher {
  private readonly listeners = new Set<(event: EventEnvelope) => void>();
  private readonly recent: EventEnvelope[] = [];

  constructor(readonly file: string) {
    mkdirSync(dirname(file), { recursive: true });
  }

  async publish(events: ChangeEvent[]): Promise<{ delivered: number }> {
    const envelopes = events.map(toEnvelope);
    // One append per batch, synchronous: a line is in the file before the batch counts as delivered.
    appendFileSync(this.file, envelopes.map((e) => `${JSON.stringify(e)}\n`).join(''));
    for (const envelope of envelopes) {
      this.recent.push(envelope);
      if (this.recent.length > RECENT) this.recent.shift();
      for (const listener of this.listeners) listener(envelope);
    }
    return { delivered: events.length };
  }

  /** Live events from now on; with `afterId`, first the kept events after that one (if it is kept). */
  subscribe(listener: (event: EventEnvelope) => void, afterId?: string): () => void {
    if (afterId !== undefined) {
      const index = this.recent.findIndex((e) => e.id === afterId);
      if (index >= 0) for (const e of this.recent.slice(index + 1)) listener(e);
    }
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
