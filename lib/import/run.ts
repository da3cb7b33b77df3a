/**
 * The bulk import end to end (`npm run import`): read and validate the file (lib/import/records.ts),
 * replay it through the identity service in memory (lib/import/replay.ts), plan the transactions
 * (lib/import/plan.ts), refuse a target that already holds data, reserve the id range on the
 * Counters item, and write (lib/import/writer.ts) under a checkpoint (lib/import/checkpoint.ts)
 * that lets a rerun finish the job. Command-line parsing is in scripts/import.ts.
 */
import { ScanCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createWriteStream } from 'node:fs';
import type { TableNames } from '../tables';
import { Checkpoint } from './checkpoint';
import { buildPlan, ItemBuilder } from './plan';
import type { Progress } from './progress';
import { formatOf, readRecords, type Rejection } from './records';
import { replay } from './replay';
import { ImportWriter } from './writer';

export interface ImportOptions {
  file: string;
  format?: string;
  dryRun: boolean;
  /** Needed unless dryRun. */
  db?: DynamoDBDocumentClient;
  tables: TableNames;
  /** A description of the target (endpoint or stage and table names), kept in the checkpoint. */
  target: string;
  concurrency: number;
  checkpointPath?: string;
  rejectPath?: string;
  progress: Progress;
  shouldStop?: () => boolean;
  /** Tests lower the transaction size to reach the large-identity path with small files. */
  maxActions?: number;
  now?: number;
}

export interface ImportSummary {
  status: 'complete' | 'dry-run' | 'interrupted' | 'already-complete';
  recordsRead: number;
  valid: number;
  rejected: number;
  rejectedByCode: Record<string, number>;
  contactsCreated: number;
  identities: number;
  merges: number;
  unchanged: number;
  largestIdentity: number;
  transactions: number;
  items: number;
  itemsWritten: number;
  conflicts: number;
  idRange: { first: number; last: number } | null;
  oldest: string | null;
  newest: string | null;
  seconds: { read: number; replay: number; write: number; total: number };
  rejectPath: string;
  checkpointPath: string;
}

export class ImportRefused extends Error {}

export async function runImport(o: ImportOptions): Promise<ImportSummary> {
  const t0 = Date.now();
  const checkpointPath = o.checkpointPath ?? `${o.file}.import-state.json`;
  const rejectPath = o.rejectPath ?? `${o.file}.rejected.ndjson`;
  const existing = o.dryRun ? null : Checkpoint.load(checkpointPath);
  if (existing && existing.data.target !== o.target) {
    throw new ImportRefused(`${checkpointPath} belongs to an import into ${existing.data.target}; delete it to start over.`);
  }

  // 1. Read and validate; rejected lines go to the reject file (the operator's own data).
  const rejects = createWriteStream(rejectPath);
  const rejectedByCode: Record<string, number> = {};
  const writeReject = (r: Rejection) => {
    rejectedByCode[r.code] = (rejectedByCode[r.code] ?? 0) + 1;
    rejects.write(`${JSON.stringify(r)}\n`);
  };
  o.progress.start('reading', 0, 'records');
  const read = await readRecords(o.file, {
    format: formatOf(o.file, o.format),
    now: o.now ?? Date.now(),
    onReject: writeReject,
    onProgress: (n, share) => {
      o.progress.setTotal(Math.max(n, Math.round(n / Math.max(share, 1e-6))));
      o.progress.update(n);
    },
  });
  o.progress.setTotal(read.recordsRead);
  o.progress.update(read.recordsRead);
  o.progress.stop();
  const t1 = Date.now();
  if (existing && existing.data.sha256 !== read.sha256) {
    rejects.end();
    throw new ImportRefused(`${o.file} changed since the import recorded in ${checkpointPath} began; delete the checkpoint to start over.`);
  }

  // 2. Replay through the identity service in memory, then plan the writes.
  const valid = read.records.times.length;
  o.progress.start('replaying', valid, 'records');
  const result = await replay(read.records, (n) => o.progress.update(n));
  o.progress.stop();
  for (const r of result.refused) writeReject(r);
  const plan = buildPlan(result.store, o.maxActions);
  const t2 = Date.now();

  let largest = 0;
  for (const p of plan.parts.values()) largest = Math.max(largest, 1 + p.identity.members.length);
  const summary: ImportSummary = {
    status: 'dry-run',
    recordsRead: read.recordsRead,
    valid,
    rejected: read.rejected + result.refused.length,
    rejectedByCode,
    contactsCreated: result.created,
    identities: plan.identities,
    merges: result.merges,
    unchanged: result.unchanged,
    largestIdentity: largest,
    transactions: plan.transactions,
    items: plan.items,
    itemsWritten: 0,
    conflicts: 0,
    idRange: null,
    oldest: result.oldest === null ? null : new Date(result.oldest).toISOString(),
    newest: result.newest === null ? null : new Date(result.newest).toISOString(),
    seconds: { read: (t1 - t0) / 1000, replay: (t2 - t1) / 1000, write: 0, total: 0 },
    rejectPath,
    checkpointPath,
  };
  const finish = async (status: ImportSummary['status']) => {
    summary.status = status;
    summary.seconds.total = (Date.now() - t0) / 1000;
    await new Promise((resolve) => rejects.end(resolve));
    return summary;
  };
  if (o.dryRun) return finish('dry-run');
  if (existing?.data.complete) {
    summary.idRange = existing.data.idRange;
    summary.conflicts = existing.data.conflicts.length;
    return finish('already-complete');
  }

  // 3. Refuse a target that holds data (unless this is our own resumed import), reserve the ids.
  const db = o.db!;
  let checkpoint = existing;
  if (!checkpoint) {
    await refuseNonEmpty(db, o.tables);
    checkpoint = Checkpoint.create(checkpointPath, { sha256: read.sha256, target: o.target, transactions: plan.transactions });
  }
  const count = result.store.contactCount;
  if (!checkpoint.data.idRange && count > 0) {
    const last = await reserveIds(db, o.tables, count);
    checkpoint.data.idRange = { first: last - count + 1, last };
    checkpoint.save();
  }
  const idRange = checkpoint.data.idRange ?? { first: 1, last: 0 };
  summary.idRange = checkpoint.data.idRange;

  // 4. Write, in parallel, marking each committed transaction in the checkpoint.
  const builder = new ItemBuilder(result.store, plan, idRange.first - 1, o.maxActions);
  const conflicts = new Set(checkpoint.data.conflicts);
  let identitiesDone = 0;
  for (const task of plan.tasks) {
    if (task.transactions.every((t) => checkpoint.isDone(t.seq))) identitiesDone += task.transactions[0]!.identities.length;
  }
  o.progress.start('writing', plan.identities, 'identities');
  o.progress.update(identitiesDone);
  const cp = checkpoint;
  const writer = new ImportWriter({
    db,
    tables: o.tables,
    builder,
    idRange,
    concurrency: o.concurrency,
    isDone: (seq) => cp.isDone(seq),
    markDone: (seq) => cp.markDone(seq),
    onConflict: (id) => {
      conflicts.add(id);
      cp.addConflict(id);
    },
    onTaskDone: (identities, items) => {
      summary.itemsWritten += items;
      identitiesDone += identities;
      o.progress.update(identitiesDone);
    },
    shouldStop: o.shouldStop ?? (() => false),
  });
  const t3 = Date.now();
  let finished: boolean;
  try {
    finished = await writer.run(plan.tasks);
  } finally {
    cp.flush();
    o.progress.stop();
  }
  summary.seconds.write = (Date.now() - t3) / 1000;
  summary.conflicts = conflicts.size;
  for (const id of conflicts) {
    for (const contactId of builder.contactsOf(id)) {
      const line = result.sourceLines[contactId];
      if (line !== undefined) {
        writeReject({ line, code: 'claimed_by_live_contact', message: 'A contact created during the import already holds a value of this identity; the identity was not imported.', text: '' });
      }
    }
  }
  if (!finished) return finish('interrupted');
  cp.data.complete = true;
  cp.save();
  return finish('complete');
}

/** The import loads only into a store without contacts or claims (README, "Bulk import"). */
async function refuseNonEmpty(db: DynamoDBDocumentClient, tables: TableNames): Promise<void> {
  for (const table of [tables.contacts, tables.emails, tables.phones]) {
    const out = await db.send(new ScanCommand({ TableName: table, Limit: 1, ConsistentRead: true }));
    if ((out.Items?.length ?? 0) > 0) {
      throw new ImportRefused(
        `The target store already holds contacts (table ${table} is not empty). The import only loads into an empty store: ` +
          'replaying history into live identities is not supported (see README, "Bulk import").',
      );
    }
  }
}

/** Reserves `count` ids with one ADD on the Counters item (live instances get larger ids afterwards). */
async function reserveIds(db: DynamoDBDocumentClient, tables: TableNames, count: number): Promise<number> {
  const out = await db.send(
    new UpdateCommand({
      TableName: tables.counters,
      Key: { name: 'contactId' },
      UpdateExpression: 'ADD #value :count',
      ExpressionAttributeNames: { '#value': 'value' },
      ExpressionAttributeValues: { ':count': count },
      ReturnValues: 'UPDATED_NEW',
    }),
  );
  return Number(out.Attributes!.value);
}
