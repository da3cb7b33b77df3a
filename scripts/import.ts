/**
 * `npm run import -- FILE [--endpoint URL | --stage S] [--dry-run]`: the command line of the bulk
 * import of historical orders (lib/import/run.ts does the work). Picks the target tables, wires
 * Ctrl-C to a clean stop with the checkpoint saved, prints the progress and a final summary (counts
 * only: no email or phone ever reaches the terminal; rejected lines go to the reject file).
 *
 * Targets:
 *   --endpoint URL     a DynamoDB endpoint (DynamoDB Local, `npm start`'s): the local table names,
 *                      with --table-prefix P if the tables are prefixed (as the tests' are)
 *   --stage S          AWS (credentials and region from the usual AWS environment): the physical
 *                      table names come from CONTACTS_TABLE, EMAILS_TABLE, PHONES_TABLE,
 *                      COUNTERS_TABLE, AUDIT_TABLE (the stack's table names for that stage)
 * Exit codes: 0 done (or dry run), 1 failure, 2 refused, 130 interrupted (rerun to resume).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { parseArgs } from 'node:util';
import { ImportRefused, runImport, type ImportSummary } from '../lib/import/run';
import { createProgress } from '../lib/import/progress';
import { maskText } from '../lib/masking';
import { localTableNames, TABLE_KEYS, TABLES, type TableNames } from '../lib/tables';

const USAGE = `usage: npm run import -- FILE [--endpoint URL [--table-prefix P] | --stage S] [--dry-run]
         [--format ndjson|csv] [--concurrency N] [--checkpoint PATH] [--rejects PATH] [--json]`;

function fail(message: string, code = 1): never {
  process.stderr.write(`import: ${message}\n`);
  process.exit(code);
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    args: process.argv.slice(2),
    allowPositionals: true,
    options: {
      endpoint: { type: 'string' },
      stage: { type: 'string' },
      'table-prefix': { type: 'string', default: '' },
      'dry-run': { type: 'boolean', default: false },
      format: { type: 'string' },
      concurrency: { type: 'string', default: '4' },
      checkpoint: { type: 'string' },
      rejects: { type: 'string' },
      json: { type: 'boolean', default: false },
      'max-actions': { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const file = positionals[0];
  if (!file || positionals.length > 1) fail(USAGE);
  const concurrency = Number(values.concurrency);
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 256) fail('--concurrency must be an integer from 1 to 256');
  const maxActions = values['max-actions'] === undefined ? undefined : Number(values['max-actions']);
  if (maxActions !== undefined && !(Number.isInteger(maxActions) && maxActions >= 2 && maxActions <= 100)) {
    fail('--max-actions must be an integer from 2 to 100');
  }
  if (values.endpoint && values.stage) fail('give either --endpoint or --stage, not both');
  const endpoint = values.endpoint ?? (values.stage ? undefined : process.env.DYNAMODB_ENDPOINT);
  if (!values['dry-run'] && !endpoint && !values.stage) fail(`a target is needed: --endpoint URL or --stage S\n${USAGE}`);

  let tables: TableNames;
  if (values.stage) {
    const missing = TABLE_KEYS.filter((k) => !process.env[TABLES[k].envVar]);
    if (missing.length) {
      fail(
        `--stage ${values.stage} needs the stage's table names in ${missing.map((k) => TABLES[k].envVar).join(', ')} ` +
          '(the physical names of the deployed stack, e.g. from `aws cloudformation describe-stack-resources`)',
      );
    }
    tables = Object.fromEntries(TABLE_KEYS.map((k) => [k, process.env[TABLES[k].envVar]!])) as TableNames;
  } else {
    tables = localTableNames(values['table-prefix']);
  }
  const target = values.stage ? `stage ${values.stage} (${tables.contacts})` : `${endpoint ?? 'dry-run'} (${tables.contacts})`;

  const db =
    values['dry-run'] ? undefined
    : DynamoDBDocumentClient.from(
        new DynamoDBClient({
          endpoint,
          region: process.env.AWS_REGION ?? 'us-east-1',
          credentials: endpoint && !process.env.AWS_ACCESS_KEY_ID ? { accessKeyId: 'local', secretAccessKey: 'local' } : undefined,
          maxAttempts: 5,
          requestHandler: { connectionTimeout: 2_000, requestTimeout: 30_000, httpAgent: { keepAlive: true, maxSockets: 256 } },
        }),
        { marshallOptions: { removeUndefinedValues: true } },
      );

  let stopping = false;
  const onSignal = () => {
    if (stopping) process.exit(130);
    stopping = true;
    process.stderr.write('\nimport: stopping after the transactions in flight (Ctrl-C again to quit at once)…\n');
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const progress = createProgress(process.stderr, values.json && !process.stderr.isTTY);
  let summary: ImportSummary;
  try {
    summary = await runImport({
      file,
      format: values.format,
      dryRun: values['dry-run'],
      db,
      tables,
      target,
      concurrency,
      checkpointPath: values.checkpoint,
      rejectPath: values.rejects,
      progress,
      shouldStop: () => stopping,
      maxActions,
    });
  } catch (error) {
    progress.stop();
    if (error instanceof ImportRefused) fail(error.message, 2);
    throw error;
  } finally {
    db?.destroy();
  }
  if (values.json) process.stdout.write(`${JSON.stringify(summary)}\n`);
  else process.stdout.write(describe(summary));
  if (summary.status === 'interrupted') process.exit(130);
}

function describe(s: ImportSummary): string {
  const codes = Object.entries(s.rejectedByCode).map(([c, n]) => `${c} ${n}`).join(', ');
  const rate = s.seconds.write > 0 ? Math.round(s.itemsWritten / s.seconds.write) : 0;
  const lines = [
    `import: ${s.status}`,
    `  records   ${s.recordsRead} read, ${s.valid} valid, ${s.rejected} rejected${codes ? ` (${codes})` : ''}${s.rejected ? ` -> ${s.rejectPath}` : ''}`,
    `  replay    ${s.contactsCreated} contacts created, ${s.merges} merges, ${s.unchanged} records changed nothing; ${s.identities} identities (largest ${s.largestIdentity})`,
    `  history   ${s.oldest ?? '-'} .. ${s.newest ?? '-'}`,
    `  writes    ${s.items} items in ${s.transactions} transactions; ${s.itemsWritten} written by this run${s.seconds.write ? ` (${rate} items/s)` : ''}${s.conflicts ? `; ${s.conflicts} identities left out (claimed by live contacts)` : ''}`,
    `  ids       ${s.idRange ? `${s.idRange.first}..${s.idRange.last}` : '-'}`,
    `  time      read ${s.seconds.read.toFixed(1)} s, replay ${s.seconds.replay.toFixed(1)} s, write ${s.seconds.write.toFixed(1)} s, total ${s.seconds.total.toFixed(1)} s`,
  ];
  if (s.status === 'interrupted') lines.push(`  checkpoint ${s.checkpointPath}: run the same command again to finish`);
  return `${lines.join('\n')}\n`;
}

main().catch((error) => {
  // An SDK message could quote a value: emails in it are masked like in every log line.
  process.stderr.write(`import: failed: ${maskText(error instanceof Error ? error.message : String(error))}\n`);
  process.stderr.write('import: the checkpoint is kept; run the same command again to resume.\n');
  process.exit(1);
});
