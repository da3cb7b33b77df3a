/**
 * `npm run bench [-- --quick] [-- --url URL]`: the benchmark and performance budget of
 * POST /identify (README, "Performance and cost").
 *
 * Without --url it starts the stack in this process: an in-memory DynamoDB Local
 * (prepareLocalStorage) and the local HTTP API (createLocalServer) on a free loopback port, with a
 * round-trip counter (lib/metrics.ts) attached to the service's DynamoDB client through
 * lib/container.ts. With --url it drives that API instead and reports round trips, capacity and
 * the floor as not measured (it cannot see the service's DynamoDB calls).
 *
 * Per case (known contact, new primary, new secondary, merge of two small identities, merge
 * absorbing a 100-contact identity), sequentially and at concurrency 8 and 32: p50/p95/p99
 * latency, throughput, DynamoDB round trips per request, capacity units per request (documented
 * formulas, scripts/bench/capacity.ts), the storage floor (scripts/bench/floor.ts) and its ratio;
 * then cold starts of the bundled functions (scripts/bench/cold-start.ts) and the cost model
 * (scripts/bench/cost.ts); scripts/bench/report.ts judges the budgets and writes bench/results.json
 * and bench/results.md.
 */
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { mkdirSync, writeFileSync } from 'node:fs';
import { Agent, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { onDynamoClientCreated } from '../lib/container';
import { ensureTables } from '../lib/local/bootstrap';
import { prepareLocalStorage, type LocalStorage } from '../lib/local/environment';
import { createLocalServer } from '../lib/local/server';
import { RoundTripCounter, type SentRequest } from '../lib/metrics';
import { localTableNames, TABLE_KEYS, TABLES, tableEnvironment, type TableNames } from '../lib/tables';
import { capacityOf, keyString, marshalItem, itemSize, writeTargets, type KeySchemas } from './bench/capacity';
import { measureColdStarts } from './bench/cold-start';
import { copyTable, describePlan, floorPlan, runFloor } from './bench/floor';
import { mean, percentile, pool } from './bench/stats';
import { buildReport, CONCURRENCY, type BatchResult, type Concurrency } from './bench/report';
import { measureWeb, webMarkdown } from './bench/web';
import { createStaticSite } from '../lib/local/static';

const ROOT = resolve(import.meta.dirname, '..');
const args = process.argv.slice(2);
const QUICK = args.includes('--quick');
const URL_ARG = (() => {
  const i = args.indexOf('--url');
  return i >= 0 ? args[i + 1] : args.find((a) => a.startsWith('--url='))?.slice('--url='.length);
})();

// ------------------------------------------------------------------ HTTP client

const agent = new Agent({ keepAlive: true, maxSockets: 64 });
let baseUrl = '';

interface Answer {
  status: number;
  body: { contact?: { primaryContactId: number; emails: string[]; phoneNumbers: string[]; secondaryContactIds: number[] } };
  ms: number;
}

function post(path: string, payload: unknown): Promise<Answer> {
  const data = JSON.stringify(payload);
  const url = new URL(path, baseUrl);
  return new Promise((resolvePost, reject) => {
    const started = performance.now();
    const req = request(
      url,
      { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const ms = performance.now() - started;
          let body = {};
          try {
            body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
          } catch {
            /* reported through the status check */
          }
          resolvePost({ status: res.statusCode ?? 0, body, ms });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(data);
  });
}

// ------------------------------------------------------------------ cases and their data

interface Body {
  email: string | null;
  phoneNumber: string | null;
}

const TAG = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 5)}`;
let sequence = 0;
const PHONE_BASE = 100_000_000_000 + Math.floor(Math.random() * 800_000_000_000);
const email = (kind: string) => `${kind}${++sequence}.${TAG}@bench.example.com`;
const phone = () => `+${PHONE_BASE + ++sequence}`;

async function identify(body: Body): Promise<Answer> {
  const answer = await post('/identify', body);
  if (answer.status !== 200) throw new Error(`seeding: /identify answered ${answer.status}: ${JSON.stringify(answer.body)}`);
  return answer;
}

/** Creates one identity per list, each contact of a list after the one before. */
async function seed(identities: Body[][]): Promise<void> {
  await pool(identities, 16, async (contacts) => {
    for (const c of contacts) await identify(c);
  });
}

interface Prepared {
  bodies: Body[];
  /** Secondary count a merge must answer with. */
  expectSecondaries?: number;
}

interface CaseSpec {
  key: 'known' | 'newPrimary' | 'newSecondary' | 'smallMerge' | 'bigMerge';
  title: string;
  requests: Record<Concurrency, number>;
  prepare(count: number): Promise<Prepared>;
}

const n = (quick: number, full: number) => (QUICK ? quick : full);
let knownIdentities: Promise<Array<{ e: string; e2: string; p: string }>> | undefined;

const CASES: CaseSpec[] = [
  {
    key: 'known',
    title: 'known contact (no write)',
    requests: { 1: n(40, 200), 8: n(160, 800), 32: n(320, 1600) },
    async prepare(count) {
      // 25 identities of 2 contacts, asked again and again (seeded once, for every run).
      knownIdentities ??= (async () => {
        const ids = Array.from({ length: 25 }, () => ({ e: email('known'), e2: email('known'), p: phone() }));
        await seed(ids.map((x) => [{ email: x.e, phoneNumber: x.p }, { email: x.e2, phoneNumber: x.p }]));
        return ids;
      })();
      const ids = await knownIdentities;
      return { bodies: Array.from({ length: count }, (_, i) => ({ email: ids[i % ids.length]!.e2, phoneNumber: ids[i % ids.length]!.p })) };
    },
  },
  {
    key: 'newPrimary',
    title: 'new primary',
    requests: { 1: n(40, 200), 8: n(80, 400), 32: n(160, 640) },
    async prepare(count) {
      return { bodies: Array.from({ length: count }, () => ({ email: email('new'), phoneNumber: phone() })) };
    },
  },
  {
    key: 'newSecondary',
    title: 'new secondary',
    requests: { 1: n(40, 200), 8: n(80, 400), 32: n(160, 640) },
    async prepare(count) {
      const ids = Array.from({ length: count }, () => ({ e: email('sec'), p: phone() }));
      await seed(ids.map((x) => [{ email: x.e, phoneNumber: x.p }]));
      return { bodies: ids.map((x) => ({ email: x.e, phoneNumber: phone() })) };
    },
  },
  {
    key: 'smallMerge',
    title: 'merge of two small identities (2 + 2 contacts)',
    requests: { 1: n(40, 200), 8: n(80, 400), 32: n(160, 640) },
    async prepare(count) {
      const pairs = Array.from({ length: count }, () => ({ a: email('old'), a2: email('old'), pa: phone(), b: email('newer'), pb: phone(), pb2: phone() }));
      await seed(
        pairs.map((x) => [
          { email: x.a, phoneNumber: x.pa },
          { email: x.a2, phoneNumber: x.pa },
          { email: x.b, phoneNumber: x.pb },
          { email: x.b, phoneNumber: x.pb2 },
        ]),
      );
      return { bodies: pairs.map((x) => ({ email: x.a, phoneNumber: x.pb })), expectSecondaries: 3 };
    },
  },
  {
    key: 'bigMerge',
    title: 'merge absorbing a 100-contact identity',
    requests: { 1: n(4, 20), 8: n(8, 40), 32: n(16, 64) },
    async prepare(count) {
      const pairs = Array.from({ length: count }, () => ({ w: email('big'), pw: phone(), shared: phone() }));
      await seed(
        pairs.map((x) => [
          { email: x.w, phoneNumber: x.pw },
          ...Array.from({ length: 100 }, () => ({ email: email('reseller'), phoneNumber: x.shared })),
        ]),
      );
      return { bodies: pairs.map((x) => ({ email: x.w, phoneNumber: x.shared })), expectSecondaries: 100 };
    },
  },
];

// ------------------------------------------------------------------ measurement

interface Instrumentation {
  counter: RoundTripCounter;
  tables: TableNames;
  floorTables: TableNames;
  schemas: KeySchemas;
  floorClient: DynamoDBClient;
  sideDoc: DynamoDBDocumentClient;
}


function checkAnswer(answer: Answer, body: Body, prepared: Prepared): string | null {
  if (answer.status !== 200) return `status ${answer.status}`;
  const c = answer.body.contact;
  if (!c) return 'no contact';
  if (body.email && !c.emails.includes(body.email)) return 'email missing';
  if (body.phoneNumber && !c.phoneNumbers.includes(body.phoneNumber)) return 'phone missing';
  if (prepared.expectSecondaries !== undefined && c.secondaryContactIds.length !== prepared.expectSecondaries) {
    return `expected ${prepared.expectSecondaries} secondaries, got ${c.secondaryContactIds.length}`;
  }
  return null;
}

/** Wall time covered by the requests' [startedAt, endedAt] intervals (parallel calls overlap). */
function unionMs(sent: readonly SentRequest[]): number {
  const intervals = sent.map((s) => [s.startedAt, s.endedAt] as const).sort((a, b) => a[0] - b[0]);
  let total = 0;
  let end = -Infinity;
  for (const [from, to] of intervals) {
    if (to <= end) continue;
    total += to - Math.max(from, end);
    end = to;
  }
  return total;
}

async function readSizes(inst: Instrumentation, sent: SentRequest[]): Promise<Map<string, number>> {
  const sizes = new Map<string, number>();
  const targets = writeTargets(sent);
  const unique = new Map(targets.map((t) => [keyString(t.table, t.key, inst.schemas), t]));
  const list = [...unique.values()];
  for (let i = 0; i < list.length; i += 100) {
    const requestItems: Record<string, { Keys: Record<string, unknown>[]; ConsistentRead: true }> = {};
    for (const t of list.slice(i, i + 100)) {
      const key = Object.fromEntries(Object.entries(t.key).map(([k, v]) => [k, 'N' in v ? Number(v.N) : (v as { S: string }).S]));
      (requestItems[t.table] ??= { Keys: [], ConsistentRead: true }).Keys.push(key);
    }
    let pending: typeof requestItems | undefined = requestItems;
    while (pending && Object.keys(pending).length > 0) {
      const out = await inst.sideDoc.send(new BatchGetCommand({ RequestItems: pending }));
      for (const [table, items] of Object.entries(out.Responses ?? {})) {
        for (const item of items) {
          const marshalled = marshalItem(item);
          sizes.set(keyString(table, marshalled, inst.schemas), itemSize(marshalled));
        }
      }
      pending = out.UnprocessedKeys as typeof requestItems | undefined;
    }
  }
  return sizes;
}

async function runBatch(
  spec: CaseSpec,
  prepared: Prepared,
  concurrency: Concurrency,
  inst: Instrumentation | null,
): Promise<BatchResult> {
  const latencies: number[] = [];
  const problems: string[] = [];
  const floorLatencies: number[] = [];
  let floorErrors = 0;
  let floorCalls = '';
  const perRequest: Array<{ total: number; refills: number; rcu: number; wcu: number }> = [];
  /** c=1: per request, the latency not spent waiting for a DynamoDB answer. */
  const outsideStorage: number[] = [];
  const byOperation: Record<string, number> = {};
  inst?.counter.reset();
  const started = performance.now();
  if (concurrency === 1 && inst) {
    const counterTable = inst.tables.counters;
    for (const body of prepared.bodies) {
      const sent: SentRequest[] = [];
      inst.counter.reset();
      inst.counter.observer = (s) => sent.push(s);
      const answer = await post('/identify', body);
      inst.counter.observer = undefined;
      latencies.push(answer.ms);
      outsideStorage.push(answer.ms - unionMs(sent));
      const problem = checkAnswer(answer, body, prepared);
      if (problem) problems.push(problem);
      for (const [op, count] of Object.entries(inst.counter.byOperation())) byOperation[op] = (byOperation[op] ?? 0) + count;
      // Outside the timed path: sizes of the written items, capacity units, the floor's plan.
      const sizes = await readSizes(inst, sent);
      const capacity = capacityOf(sent, inst.schemas, (k) => sizes.get(k));
      const refills = sent.filter((s) => s.operation === 'UpdateItem' && JSON.parse(s.body).TableName === counterTable).length;
      perRequest.push({ total: sent.length, refills, ...capacity });
      const rename = (table: string) => {
        const key = TABLE_KEYS.find((k) => inst.tables[k] === table);
        return key ? inst.floorTables[key] : table;
      };
      // The floor of this very request, right after it (same data, same machine conditions).
      const plan = floorPlan(sent, inst.schemas, rename, new Set([counterTable]));
      floorCalls ||= describePlan(plan);
      try {
        floorLatencies.push(await runFloor(inst.floorClient, plan));
      } catch (error) {
        if (floorErrors++ === 0) process.stderr.write(`  ${spec.key}: floor call failed: ${(error as Error).name}: ${(error as Error).message}\n`);
      }
    }
  } else {
    await pool(prepared.bodies, concurrency, async (body) => {
      const answer = await post('/identify', body);
      latencies.push(answer.ms);
      const problem = checkAnswer(answer, body, prepared);
      if (problem) problems.push(problem);
    });
    if (inst) Object.assign(byOperation, inst.counter.byOperation());
  }
  const wallMs = performance.now() - started;
  const count = prepared.bodies.length;
  const total = Object.values(byOperation).reduce((a, b) => a + b, 0);
  if (problems.length > 0) {
    process.stderr.write(`  ${spec.key} c=${concurrency}: ${problems.length} bad answers, e.g. ${problems[0]}\n`);
  }
  const result: BatchResult = {
    case: spec.key,
    concurrency,
    requests: count,
    errors: problems.length,
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    p99: percentile(latencies, 99),
    // Sequential runs include the untimed capacity/floor bookkeeping in their wall time: use the
    // latencies instead.
    throughput: concurrency === 1 && inst ? (1000 * count) / latencies.reduce((a, b) => a + b, 0) : (1000 * count) / wallMs,
    roundTrips: inst ? total / count : null,
    roundTripsByOperation: inst
      ? Object.fromEntries(Object.entries(byOperation).map(([op, c]) => [op, round(c / count, 3)]))
      : null,
  };
  if (perRequest.length > 0) {
    result.roundTripsMaxWithoutRefill = Math.max(...perRequest.map((r) => r.total - r.refills));
    result.refillsPerRequest = mean(perRequest.map((r) => r.refills));
    result.rcu = mean(perRequest.map((r) => r.rcu));
    result.wcu = mean(perRequest.map((r) => r.wcu));
    result.outsideStorageP50 = round(percentile(outsideStorage, 50));
    const floorP50 = percentile(floorLatencies, 50);
    result.floor = {
      calls: floorCalls,
      p50: round(floorP50),
      p95: round(percentile(floorLatencies, 95)),
      samples: floorLatencies.length,
      errors: floorErrors,
      ratio: round(result.p50 / floorP50),
    };
  }
  return result;
}

// ------------------------------------------------------------------ main

const round = (x: number, digits = 2) => (Number.isFinite(x) ? Number(x.toFixed(digits)) : x);

async function main(): Promise<void> {
  const t0 = performance.now();
  const log = (message: string) => process.stdout.write(`[bench ${((performance.now() - t0) / 1000).toFixed(1)}s] ${message}\n`);
  process.env.LOG_LEVEL ??= 'warn';

  let storage: LocalStorage | null = null;
  let server: Server | null = null;
  let inst: Instrumentation | null = null;
  const lowClients: DynamoDBClient[] = [];
  try {
    storage = await prepareLocalStorage({ dataDir: null, tablePrefix: 'bench_' });
    log(`DynamoDB Local at ${storage.endpoint}`);
    if (URL_ARG) {
      baseUrl = URL_ARG;
      log(`driving ${baseUrl}: round trips, capacity and the floor are not measured`);
    } else {
      const counter = new RoundTripCounter();
      onDynamoClientCreated((db) => counter.attach(db));
      // With the pages (lib/local/static.ts) for the web part (scripts/bench/web.ts).
      server = createLocalServer({ timeoutMs: 30_000, site: await createStaticSite({ log }) });
      await new Promise<void>((ok) => server!.listen(0, '127.0.0.1', ok));
      baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      log(`local HTTP API at ${baseUrl}`);

      const low = new DynamoDBClient({
        endpoint: storage.endpoint,
        region: 'us-east-1',
        credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
        maxAttempts: 3,
        requestHandler: { connectionTimeout: 1_000, requestTimeout: 30_000, httpAgent: { keepAlive: true, maxSockets: 256 } },
      });
      lowClients.push(low);
      const floorTables = localTableNames('benchfloor_');
      await ensureTables(low, floorTables);
      const schemas: KeySchemas = {};
      for (const key of TABLE_KEYS) {
        const def: { partitionKey: { name: string }; sortKey?: { name: string } } = TABLES[key];
        const names = [def.partitionKey.name, ...(def.sortKey ? [def.sortKey.name] : [])];
        schemas[storage.tables[key]] = names;
        schemas[floorTables[key]] = names;
      }
      inst = {
        counter,
        tables: storage.tables,
        floorTables,
        schemas,
        floorClient: low,
        sideDoc: DynamoDBDocumentClient.from(low),
      };
    }

    // Data: the sequential runs' data first, then a copy of it for the floor, then the rest.
    const prepared = new Map<string, Prepared>();
    // Every case and level seeds at once: the 100-contact identities are long chains of
    // requests, so only many chains side by side keep DynamoDB Local busy.
    const seedFor = (levels: Concurrency[]) =>
      Promise.all(
        levels.flatMap((c) =>
          CASES.map(async (spec) => prepared.set(`${spec.key}@${c}`, await spec.prepare(spec.requests[c]))),
        ),
      );
    await seedFor([1]);
    log('seeded data for the sequential runs');
    if (inst) {
      for (const key of TABLE_KEYS) await copyTable(inst.floorClient, inst.tables[key], inst.floorTables[key]);
      await inst.floorClient.send(new ListTablesCommand({ Limit: 1 }));
      log('copied it for the floor');
    }
    await seedFor([8, 32]);
    log('seeded data for the concurrent runs');

    // Runs.
    const results: BatchResult[] = [];
    for (const spec of CASES) {
      for (const c of CONCURRENCY) {
        const result = await runBatch(spec, prepared.get(`${spec.key}@${c}`)!, c, inst);
        results.push(result);
        log(
          `${spec.key.padEnd(12)} c=${String(c).padEnd(2)} p50 ${result.p50.toFixed(1)} ms, p99 ${result.p99.toFixed(1)} ms, ` +
            `${result.throughput.toFixed(0)} req/s` +
            (result.roundTrips !== null ? `, ${result.roundTrips.toFixed(2)} round trips` : '') +
            (result.floor ? `, floor ${result.floor.p50} ms (${result.floor.ratio}x)` : ''),
        );
      }
    }

    // Cold start, against the same DynamoDB Local and a contact the known case created.
    const knownBody = prepared.get('known@1')!.bodies[0]!;
    const cold = await measureColdStarts({
      runs: QUICK ? 4 : 15,
      env: { ...tableEnvironment(storage.tables), DYNAMODB_ENDPOINT: storage.endpoint },
      identifyBody: knownBody,
    });
    log(`cold start: hello ${cold.hello.startToAnswerMs.toFixed(0)} ms, hello+node:http ${cold.helloNodeHttp.startToAnswerMs.toFixed(0)} ms, SDK baseline ${cold.sdkBaseline.startToAnswerMs.toFixed(0)} ms, ` + [...cold.functions, ...cold.proposals].map((f) => `${f.name} ${f.startToAnswerMs.toFixed(0)} ms (${(f.bytes / 1024).toFixed(0)} KB)`).join(', '));

    // The pages and the checkout (scripts/bench/web.ts).
    const web = await measureWeb({ baseUrl, quick: QUICK, log });

    const report = buildReport(results, cold, (performance.now() - t0) / 1000, { quick: QUICK, url: URL_ARG, cases: CASES });
    report.markdown += webMarkdown(web);
    Object.assign(report.json, { web });
    mkdirSync(resolve(ROOT, 'bench'), { recursive: true });
    writeFileSync(resolve(ROOT, 'bench/results.json'), `${JSON.stringify(report.json, null, 2)}\n`);
    writeFileSync(resolve(ROOT, 'bench/results.md'), report.markdown);
    log('wrote bench/results.json and bench/results.md');
  } finally {
    server?.closeAllConnections();
    server?.close();
    agent.destroy();
    for (const c of lowClients) c.destroy();
    await storage?.stop();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`bench failed: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  },
);
