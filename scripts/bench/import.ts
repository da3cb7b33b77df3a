/**
 * `npm run bench:import -- [--records N] [--seed S] [--concurrency C] [--floor-concurrency C]`:
 * the figures of the bulk import (README, "Bulk import"), written to bench/import.md and
 * bench/import.json. In one process and one in-memory DynamoDB Local it
 * 1. generates N records (scripts/import/generate.ts) into bench/tmp/;
 * 2. measures the floor: the same items the import writes, in the same kind of calls
 *    (TransactWriteItems of the same conditional Puts, the same transactions, the same number in
 *    flight), pre-built and sent raw into a second set of tables, timed from first to last call;
 * 3. runs the import itself (lib/import/run.ts, as `npm run import` does) into a fresh set of tables;
 * and reports the import's total time, its write rate beside the floor's, and DynamoDB Local's
 * JVM resident memory at the end.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { buildPlan, ItemBuilder } from '../../lib/import/plan';
import { createProgress } from '../../lib/import/progress';
import { readRecords } from '../../lib/import/records';
import { replay } from '../../lib/import/replay';
import { runImport } from '../../lib/import/run';
import { ensureTables } from '../../lib/local/bootstrap';
import { startDynamoDbLocal } from '../../lib/local/dynamodb-local';
import { maskedErrorText } from '../../lib/masking';
import { localTableNames, type TableNames } from '../../lib/tables';
import { writeGenerated } from '../import/generate';

const ROOT = resolve(import.meta.dirname, '../..');
const { values } = parseArgs({
  options: {
    records: { type: 'string', default: '1000000' },
    seed: { type: 'string', default: '1' },
    concurrency: { type: 'string', default: '4' },
    out: { type: 'string', default: 'bench/import' },
  },
});
const records = Number(values.records);
const concurrency = Number(values.concurrency);

function client(endpoint: string) {
  return DynamoDBDocumentClient.from(
    new DynamoDBClient({
      endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      maxAttempts: 5,
      requestHandler: { requestTimeout: 60_000, httpAgent: { keepAlive: true, maxSockets: 256 } },
    }),
    { marshallOptions: { removeUndefinedValues: true } },
  );
}

function jvmRssMb(port: string): number | null {
  try {
    const out = execFileSync('ps', ['-eo', 'rss,args'], { encoding: 'utf8' });
    const line = out.split('\n').find((l) => l.includes('DynamoDBLocal') && l.includes(port));
    return line ? Math.round(Number(line.trim().split(/\s+/)[0]) / 1024) : null;
  } catch {
    return null;
  }
}

async function main(): Promise<void> {
  mkdirSync(resolve(ROOT, 'bench/tmp'), { recursive: true });
  const file = resolve(ROOT, `bench/tmp/orders-${records}-${values.seed}.ndjson`);
  const log = (line: string) => process.stderr.write(`bench:import: ${line}\n`);
  log(`generating ${records} records`);
  await writeGenerated(file, { records, seed: Number(values.seed) });
  for (const suffix of ['.import-state.json', '.rejected.ndjson']) rmSync(`${file}${suffix}`, { force: true });

  const dynamo = await startDynamoDbLocal({ dataDir: null });
  const port = new URL(dynamo.endpoint).port;
  const raw = new DynamoDBClient({ endpoint: dynamo.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  const floorTables: TableNames = localTableNames('floor_');
  const importTables: TableNames = localTableNames('import_');
  await ensureTables(raw, floorTables);
  await ensureTables(raw, importTables);
  const db = client(dynamo.endpoint);
  try {
    // The floor: the same transactions, pre-built, sent with nothing else to do.
    log('floor: building the same transactions');
    const read = await readRecords(file, { format: 'ndjson', now: Date.now(), onReject: () => {} });
    const result = await replay(read.records);
    const plan = buildPlan(result.store);
    const builder = new ItemBuilder(result.store, plan, 0);
    const inputs = plan.tasks.flatMap((task) =>
      task.transactions.map((_, i) => ({
        TransactItems: builder.putsFor(task, i).map((p) => ({
          Put: {
            TableName: floorTables[p.table],
            Item: p.item,
            ConditionExpression: 'attribute_not_exists(#key)',
            ExpressionAttributeNames: { '#key': p.table === 'contacts' ? 'id' : p.table === 'emails' ? 'email' : 'phone' },
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const,
          },
        })),
      })),
    );
    const floorItems = inputs.reduce((n, input) => n + input.TransactItems.length, 0);
    log(`floor: ${inputs.length} transactions, ${floorItems} items, ${concurrency} in flight`);
    const f0 = Date.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < inputs.length) await db.send(new TransactWriteCommand(inputs[next++]!));
      }),
    );
    const floorSeconds = (Date.now() - f0) / 1000;
    const floorRate = floorItems / floorSeconds;
    log(`floor: ${Math.round(floorRate)} items/s`);
    inputs.length = 0;

    // The import itself, as `npm run import` runs it.
    const summary = await runImport({
      file,
      dryRun: false,
      db,
      tables: importTables,
      target: `${dynamo.endpoint} (${importTables.contacts})`,
      concurrency,
      progress: createProgress(process.stderr),
    });
    const importRate = summary.itemsWritten / summary.seconds.write;
    const ratio = importRate / floorRate;
    const rss = jvmRssMb(port);
    const figures = {
      records,
      seed: Number(values.seed),
      concurrency,
      valid: summary.valid,
      rejected: summary.rejected,
      contacts: summary.contactsCreated,
      identities: summary.identities,
      largestIdentity: summary.largestIdentity,
      merges: summary.merges,
      transactions: summary.transactions,
      items: summary.items,
      seconds: summary.seconds,
      importItemsPerSecond: Math.round(importRate),
      floorItemsPerSecond: Math.round(floorRate),
      floorSeconds,
      ratioToFloor: Number(ratio.toFixed(3)),
      jvmRssMb: rss,
      nodeHeapMb: Math.round(process.memoryUsage().heapUsed / 2 ** 20),
      at: new Date().toISOString(),
    };
    const md = [
      '# Bulk import benchmark',
      '',
      `Generated by \`npm run bench:import -- --records ${records} --concurrency ${concurrency}\` on ${figures.at} (2-vCPU machine shared with other work; in-memory DynamoDB Local, JVM default heap).`,
      '',
      '| figure | value |',
      '| --- | --- |',
      `| records | ${records} (${summary.valid} valid, ${summary.rejected} rejected) |`,
      `| result | ${summary.contactsCreated} contacts in ${summary.identities} identities (largest ${summary.largestIdentity}), ${summary.merges} merges |`,
      `| writes | ${summary.items} items in ${summary.transactions} transactions, ${concurrency} in flight |`,
      `| import time | read ${summary.seconds.read.toFixed(1)} s, replay ${summary.seconds.replay.toFixed(1)} s, write ${summary.seconds.write.toFixed(1)} s, **total ${summary.seconds.total.toFixed(1)} s** (target 1,000,000 records under 900 s) |`,
      `| import write rate | ${figures.importItemsPerSecond} items/s |`,
      `| floor (same items, same calls, raw) | ${figures.floorItemsPerSecond} items/s (${floorSeconds.toFixed(1)} s) |`,
      `| import / floor | **${(ratio * 100).toFixed(1)}%** (target at least 80%) |`,
      `| DynamoDB Local JVM resident memory at the end | ${rss ?? 'not measured'} MB |`,
      `| import process heap at the end | ${figures.nodeHeapMb} MB |`,
      '',
    ].join('\n');
    writeFileSync(resolve(ROOT, `${values.out}.md`), md);
    writeFileSync(resolve(ROOT, `${values.out}.json`), `${JSON.stringify(figures, null, 2)}\n`);
    process.stdout.write(md);
  } finally {
    db.destroy();
    raw.destroy();
    await dynamo.stop();
  }
}

main().catch((error) => {
  process.stderr.write(`bench:import: failed: ${maskedErrorText(error)}\n`);
  process.exit(1);
});
