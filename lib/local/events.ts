/**
 * Change events for `npm start` (and the tests and stress command that run the local stack): the
 * Changes table's stream on DynamoDB Local, read by the stream poller, through the same handler
 * code as the identity-events Lambda (lib/events/stream.ts), into the local sink (an NDJSON file
 * and the SSE feed). With a data folder: `<dataDir>/events.ndjson` and a checkpoint beside it, so a
 * restart neither repeats nor skips events; without (in memory): a fresh file in the OS temp folder.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { processStreamBatch } from '../events/stream';
import type { TableNames } from '../tables';
import { LocalEventSink } from './event-sink';
import { errorFields, localLog } from './log';
import { StreamPoller } from './stream-poller';

export interface LocalEvents {
  sink: LocalEventSink;
  poller: StreamPoller;
  /** The NDJSON file the events are appended to. */
  file: string;
  stop(): Promise<void>;
}

export async function startLocalEvents(options: {
  endpoint: string;
  tables: TableNames;
  /** Folder for events.ndjson and its checkpoint; null: a temp file, no checkpoint. */
  dataDir: string | null;
  onError?: (message: string, error: unknown) => void;
  /** The poller's pause after a pass that read nothing (tests lengthen it to order their steps). */
  idleMs?: number;
}): Promise<LocalEvents> {
  const onError = options.onError ?? ((message, error) => localLog('warn', message, errorFields(error)));
  const dir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'fluxkart-events-'));
  const file = join(dir, 'events.ndjson');
  const sink = new LocalEventSink(file);
  const poller = new StreamPoller({
    endpoint: options.endpoint,
    tableName: options.tables.changes,
    checkpointFile: options.dataDir ? join(options.dataDir, 'events.checkpoint.json') : null,
    handle: (records) =>
      processStreamBatch(records, sink, (message, error, sequenceNumber) =>
        onError(`change events: ${message} (record ${sequenceNumber})`, error),
      ),
    onError,
    idleMs: options.idleMs,
  });
  await poller.start();
  return { sink, poller, file, stop: () => poller.stop() };
}
