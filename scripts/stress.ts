/**
 * `npm run stress -- --requests N --concurrency C [--faults] [--url URL] [--large-merge M]`
 *
 * Fires N POST /identify requests, C at a time, at the local API and then audits the whole stored
 * data set (scripts/audit.ts). Without --url it starts everything in this process: an in-memory
 * DynamoDB Local on a free port, fresh tables, and the local HTTP server (the Lambda handler code)
 * on a free loopback port; --faults then sets FAULT_INJECTION="conflict=0.1,lost=0.05" before the
 * handlers load, so that 10% of transactions fail with a synthetic TransactionConflict and 5% of
 * successful writes lose their response.
 *
 * Requests come from a small universe that moves: values belong to "customers" (4 emails and
 * 2 phones each); a window of 64 customers is active at any time and slides over all customers
 * during the run, so new primaries, new secondaries and merges keep happening to the end, and
 * requests in flight keep meeting the same identities. 1% of requests bridge two customers (an
 * email of one, a phone of another: a merge of two grown identities). A request carries an email
 * only (20%), a phone only (15%) or both.
 *
 * --large-merge M additionally seeds two identities of M contacts each straight into the tables
 * (exactly the items the service would write) and times the one request that merges them.
 *
 * Options: --requests N (default 2000), --concurrency C (default 32), --faults, --seed S,
 * --large-merge M, --url URL (an already running local API; then also --endpoint URL of its
 * DynamoDB and --table-prefix P or the *_TABLE variables, for the audit). Loopback only.
 * In process, it also checks the change events (scripts/event-audit.ts): the Changes stream is read
 * by the same pipeline as `npm start` (lib/local/events.ts), and every committed change must have
 * been delivered exactly once (0 missing, 0 duplicates), with no version gap and every contact announced.
 * Exits 1 on any violation; the last line printed is the summary.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { maskedErrorText, maskPersonalData } from '../lib/masking';
import { localTableNames, TABLE_KEYS, TABLES, type TableNames } from '../lib/tables';
import type { LocalEvents } from '../lib/local/events';
import { ANSWER_VERBATIM_KEYS, auditDataSet, documentClient, readDataSet, type DataSet, type ResponseRecord } from './audit';
import { auditEvents, readEventsFile, type EventReport } from './event-audit';
import { seedIdentity, sharedPhoneContacts } from './seed';
import { seededRandom } from './seeded-random';

const FAULTS = 'conflict=0.1,lost=0.05';
const WINDOW = 64;
const MAX_REQUESTS = 1_000_000;
const MAX_CONCURRENCY = 1_024;

interface Options {
  requests: number;
  concurrency: number;
  faults: boolean;
  seed: number;
  largeMerge: number;
  url: string | undefined;
  endpoint: string | undefined;
  tablePrefix: string | undefined;
}

function parseOptions(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    options: {
      requests: { type: 'string', default: '2000' },
      concurrency: { type: 'string', default: '32' },
      faults: { type: 'boolean', default: false },
      seed: { type: 'string', default: '1' },
      'large-merge': { type: 'string', default: '0' },
      url: { type: 'string' },
      endpoint: { type: 'string' },
      'table-prefix': { type: 'string' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(
      'usage: npm run stress -- --requests N --concurrency C [--faults] [--seed S] [--large-merge M]\n' +
        '                         [--url URL --endpoint DYNAMODB_URL (--table-prefix P | *_TABLE env)]\n',
    );
    process.exit(0);
  }
  const int = (name: string, raw: string, min: number, max: number) => {
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max) throw new Error(`--${name} must be an integer from ${min} to ${max}`);
    return n;
  };
  const loopback = (name: string, raw: string | undefined) => {
    if (raw === undefined) return undefined;
    const host = new URL(raw).hostname;
    if (!['127.0.0.1', 'localhost', '[::1]', '::1'].includes(host)) throw new Error(`--${name} must be a loopback URL`);
    return raw.replace(/\/+$/, '');
  };
  return {
    requests: int('requests', values.requests, 0, MAX_REQUESTS),
    concurrency: int('concurrency', values.concurrency, 1, MAX_CONCURRENCY),
    faults: values.faults,
    seed: int('seed', values.seed, 0, 2 ** 31 - 1),
    largeMerge: int('large-merge', values['large-merge'], 0, 5_000),
    url: loopback('url', values.url),
    endpoint: loopback('endpoint', values.endpoint ?? (values.url ? process.env.DYNAMODB_ENDPOINT : undefined)),
    tablePrefix: values['table-prefix'],
  };
}

type Request = { email: string | null; phoneNumber: string | null };

/** The i-th request of the run (see the header for the shape of the universe). */
function requestGenerator(total: number, seed: number): (i: number) => Request {
  const random = seededRandom(seed);
  const customers = Math.max(WINDOW * 2, Math.ceil(total / 25));
  const pick = (n: number) => Math.floor(random() * n);
  const email = (c: number) => `c${c}.${pick(4)}@stress.test`;
  const phone = (c: number) => `555${String(c).padStart(6, '0')}${pick(2)}`;
  return (i) => {
    const start = Math.floor((i / Math.max(1, total)) * (customers - WINDOW));
    const c = start + pick(WINDOW);
    const kind = random();
    if (kind < 0.01) return { email: email(c), phoneNumber: phone(pick(start + WINDOW)) };
    if (kind < 0.21) return { email: email(c), phoneNumber: null };
    if (kind < 0.36) return { email: null, phoneNumber: phone(c) };
    return { email: email(c), phoneNumber: phone(c) };
  };
}

async function post(url: string, body: Request): Promise<{ status: number; body: unknown; ms: number }> {
  const started = performance.now();
  const response = await fetch(`${url}/identify`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // keep the text
  }
  return { status: response.status, body: parsed, ms: performance.now() - started };
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

interface Environment {
  url: string;
  db: DynamoDBDocumentClient;
  tables: TableNames;
  /** True when the tables may hold data from before this run. */
  foreignData: boolean;
  /** The in-process change-event pipeline (none with --url). */
  events: LocalEvents | null;
  stop(): Promise<void>;
}

async function startEnvironment(options: Options): Promise<Environment> {
  if (options.url) {
    if (!options.endpoint) throw new Error('--url needs --endpoint (or DYNAMODB_ENDPOINT) for the audit');
    const tables =
      options.tablePrefix !== undefined
        ? localTableNames(options.tablePrefix)
        : (Object.fromEntries(
            TABLE_KEYS.map((key) => [key, process.env[TABLES[key].envVar] || TABLES[key].localName]),
          ) as TableNames);
    const db = documentClient(options.endpoint);
    return { url: options.url, db, tables, foreignData: true, events: null, stop: async () => db.destroy() };
  }
  // Before any handler module loads: they read the configuration on first use.
  if (options.faults) process.env.FAULT_INJECTION = FAULTS;
  else delete process.env.FAULT_INJECTION;
  process.env.LOG_LEVEL ??= 'warn';
  delete process.env.DYNAMODB_ENDPOINT;
  const { prepareLocalStorage } = await import('../lib/local/environment');
  const { createLocalServer } = await import('../lib/local/server');
  const storage = await prepareLocalStorage({ dataDir: null, tablePrefix: `stress${Date.now()}_` });
  const { startLocalEvents } = await import('../lib/local/events');
  const events = await startLocalEvents({ endpoint: storage.endpoint, tables: storage.tables, dataDir: null });
  const server = createLocalServer({ timeoutMs: Number(process.env.REQUEST_TIMEOUT_MS ?? 10_000), events: events.sink });
  const port = await freeLoopbackPort();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const db = documentClient(storage.endpoint);
  return {
    url: `http://127.0.0.1:${port}`,
    db,
    tables: storage.tables,
    foreignData: false,
    events,
    stop: async () => {
      db.destroy();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await events.stop();
      await storage.stop();
    },
  };
}

async function main(): Promise<number> {
  const options = parseOptions(process.argv.slice(2));
  const log = (line: string) => process.stdout.write(`${line}\n`);
  const env = await startEnvironment(options);
  try {
    log(
      `stress: ${options.requests} requests, ${options.concurrency} in flight, faults ${options.faults ? `on (${FAULTS})` : 'off'}, ` +
        `API ${env.url}${options.url ? '' : ' (in-process, embedded DynamoDB Local)'}`,
    );
    const next = requestGenerator(options.requests, options.seed);
    const requests = Array.from({ length: options.requests }, (_, i) => next(i));
    const responses: ResponseRecord[] = new Array(options.requests);
    const latencies: number[] = [];
    let issued = 0;
    let done = 0;
    let failures = 0;
    const started = performance.now();
    const every = Math.max(1, Math.floor(options.requests / 10));
    const worker = async () => {
      while (issued < options.requests) {
        const i = issued++;
        const request = requests[i]!;
        let result: { status: number; body: unknown; ms: number };
        try {
          result = await post(env.url, request);
        } catch (error) {
          result = { status: 0, body: { error: String(error) }, ms: 0 };
        }
        responses[i] = { request, status: result.status, body: result.body };
        latencies.push(result.ms);
        if (result.status !== 200) failures++;
        if (++done % every === 0) {
          const seconds = (performance.now() - started) / 1000;
          log(`progress: ${done}/${options.requests} (${Math.round(done / seconds)} req/s, ${failures} not 200)`);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(options.concurrency, Math.max(1, options.requests)) }, worker));
    const seconds = (performance.now() - started) / 1000;

    const extraRequests: Request[] = [];
    const seededIds = new Set<number>();
    // Two identities of `size` contacts each, seeded directly, merged by one request.
    const largeMerge = async (name: string, tag: number, size: number) => {
      const phone = (side: number) => `5559${tag}${side}${String(size).padStart(4, '0')}`;
      const older = await seedIdentity(env.db, env.tables, sharedPhoneContacts(`big${tag}a-`, phone(1), size), new Date('2024-01-01T00:00:00Z'));
      const newer = await seedIdentity(env.db, env.tables, sharedPhoneContacts(`big${tag}b-`, phone(2), size), new Date('2024-02-01T00:00:00Z'));
      extraRequests.push(...older.contacts, ...newer.contacts);
      for (const id of [...older.ids, ...newer.ids]) seededIds.add(id);
      const request = { email: `big${tag}a-0@seed.test`, phoneNumber: phone(2) };
      const result = await post(env.url, request);
      extraRequests.push(request);
      const contact = (result.body as { contact?: { primaryContactId: number; secondaryContactIds: number[] } }).contact;
      const ok =
        result.status === 200 &&
        contact?.primaryContactId === older.primaryId &&
        contact.secondaryContactIds.length === 2 * size - 1;
      const line = `${name}: ${size} + ${size} contacts merged by one request in ${Math.round(result.ms)} ms (status ${result.status}, ${contact?.secondaryContactIds.length ?? 0} secondaries in the answer${ok ? '' : ', WRONG ANSWER'})`;
      log(line);
      return { ok, ms: result.ms };
    };
    let largeMergeMs: number | null = null;
    let wrongAnswers = 0;
    if (options.largeMerge > 0) {
      // A smaller merge first, so that the timed one does not pay for a cold JVM and cold caches.
      const warmUp = await largeMerge('warm-up merge', 1, Math.max(1, Math.floor(options.largeMerge / 5)));
      const timed = await largeMerge('large merge', 2, options.largeMerge);
      wrongAnswers = (warmUp.ok ? 0 : 1) + (timed.ok ? 0 : 1);
      largeMergeMs = timed.ms;
    }

    log('audit: scanning every table...');
    const data = await readDataSet(env.db, env.tables);
    // A request that got no 200 (a timeout's 503, a client error) promised nothing: its merge may
    // or may not have committed. Its two values are connected only when the rows show it did;
    // connecting them regardless reports a merge it never made as two primaries in one identity.
    const answered = responses.filter((r) => r.status === 200);
    const unanswered = responses.filter((r) => r.status !== 200);
    const report = auditDataSet(data, answered, {
      requests: [...extraRequests, ...unanswered.map((r) => r.request).filter((r) => joinedInData(data, r))],
      ...(env.foreignData ? { followLinks: true } : {}),
    });
    if (unanswered.length > 0) {
      // Still a failed run, but not a data violation: the requests that failed are listed apart.
      const body = JSON.stringify(maskPersonalData(unanswered[0]!.body, '', 0, ANSWER_VERBATIM_KEYS));
      log(`FAILED: ${unanswered.length} requests not answered 200, e.g. status ${unanswered[0]!.status} ${body?.slice(0, 200)}`);
    }
    // The audits mask the values they name (scripts/audit.ts, scripts/event-audit.ts).
    for (const violation of report.violations) log(`VIOLATION: ${violation}`);
    if (report.violationCount > report.violations.length) {
      log(`... and ${report.violationCount - report.violations.length} more violations`);
    }
    let eventReport: EventReport | null = null;
    if (env.events) {
      log('events: waiting for the stream to drain...');
      await env.events.poller.idle();
      eventReport = await auditEvents(env.db, env.tables, readEventsFile(env.events.file), seededIds);
      for (const problem of eventReport.problems) log(`VIOLATION: ${problem}`);
      log(
        `events: ${eventReport.changes} changes committed, ${eventReport.delivered} events delivered: ${eventReport.missing} missing, ` +
          `${eventReport.duplicates} duplicates, ${eventReport.strays} strays, ${eventReport.versionGaps} version gaps, ` +
          `${eventReport.unannounced} contacts unannounced`,
      );
    }
    const eventViolations = eventReport
      ? eventReport.missing + eventReport.duplicates + eventReport.strays + eventReport.versionGaps + eventReport.unannounced
      : 0;
    const violations = report.violationCount + wrongAnswers + eventViolations;
    const failed = unanswered.length;
    const { primaries, secondaries, merges } = report.created;
    log(`data: ${primaries} primaries and ${secondaries} secondaries created, ${merges} merges`);
    const sorted = [...latencies].sort((a, b) => a - b);
    log(
      `stress: ${options.requests} requests, ${options.concurrency} in flight, faults ${options.faults ? 'on' : 'off'}: ` +
        `${violations} violations, ${failed} failed requests, p50 ${percentile(sorted, 50).toFixed(1)} ms, p99 ${percentile(sorted, 99).toFixed(1)} ms, ` +
        `${report.contacts} contacts, ${report.identities} identities (largest ${report.largestIdentity}), ` +
        `${Math.round(options.requests / Math.max(seconds, 0.001))} req/s` +
        (eventReport ? `, ${eventReport.delivered} events (${eventReport.missing} missing, ${eventReport.duplicates} duplicates)` : '') +
        (largeMergeMs !== null ? `, merge of 2x${options.largeMerge} in ${Math.round(largeMergeMs)} ms` : ''),
    );
    return violations === 0 && failed === 0 ? 0 : 1;
  } finally {
    await env.stop();
  }
}

/** Whether the request's email and phone are held by contacts of one identity in the final rows. */
function joinedInData(data: DataSet, r: Request): boolean {
  if (r.email === null || r.phoneNumber === null) return true;
  const primaryOf = (c: Record<string, any> | undefined) => (c ? Number(c.linkedId ?? c.id) : undefined);
  const live = data.contacts.filter((c) => c.deletedAt === undefined);
  const a = primaryOf(live.find((c) => c.email === r.email));
  const b = primaryOf(live.find((c) => c.phoneNumber === r.phoneNumber));
  return a !== undefined && a === b;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`stress failed: ${maskedErrorText(error)}\n`);
    process.exit(2);
  },
);
