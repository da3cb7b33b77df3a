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
 * (scripts/bench/cost.ts). Writes bench/results.json and bench/results.md.
 */
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { mkdirSync, writeFileSync } from 'node:fs';
import { Agent, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus } from 'node:os';
import { resolve } from 'node:path';
import { onDynamoClientCreated } from '../lib/container';
import { ensureTables } from '../lib/local/bootstrap';
import { prepareLocalStorage, type LocalStorage } from '../lib/local/environment';
import { createLocalServer } from '../lib/local/server';
import { RoundTripCounter, type SentRequest } from '../lib/metrics';
import { localTableNames, TABLE_KEYS, TABLES, tableEnvironment, type TableNames } from '../lib/tables';
import { capacityOf, keyString, marshalItem, itemSize, writeTargets, type KeySchemas } from './bench/capacity';
import { measureColdStarts, type ColdStartResult } from './bench/cold-start';
import { costPerMillion, LAMBDA_MEMORY_MB, MIX, PRICES, type CostLine } from './bench/cost';
import { copyTable, describePlan, floorPlan, runFloor } from './bench/floor';
import { mean, percentile, pool } from './bench/stats';
import { measureWeb, webMarkdown } from './bench/web';
import { createStaticSite } from '../lib/local/static';

const ROOT = resolve(import.meta.dirname, '..');
const args = process.argv.slice(2);
const QUICK = args.includes('--quick');
const URL_ARG = (() => {
  const i = args.indexOf('--url');
  return i >= 0 ? args[i + 1] : args.find((a) => a.startsWith('--url='))?.slice('--url='.length);
})();
const CONCURRENCY = [1, 8, 32] as const;
type Concurrency = (typeof CONCURRENCY)[number];

// ------------------------------------------------------------------ budgets

const BUDGET = {
  roundTrips: { known: 2, newPrimary: 2, newSecondary: 3, smallMerge: 4 } as Record<string, number>,
  floorRatio: 1.5,
  bundleBytes: 300 * 1024,
  coldStartVsHello: 2,
  /** Import plus first answer against the bare-SDK baseline (issue 9: Powertools may add at most 15%). */
  coldStartVsSdk: 1.15,
};

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

interface BatchResult {
  case: string;
  concurrency: Concurrency;
  requests: number;
  errors: number;
  p50: number;
  p95: number;
  p99: number;
  throughput: number;
  /** DynamoDB requests sent per /identify request (mean); null when not measured. */
  roundTrips: number | null;
  roundTripsByOperation: Record<string, number> | null;
  /** c=1 only: the most any single request sent, id-block refills left out. */
  roundTripsMaxWithoutRefill?: number;
  /** c=1 only: id-block refills (counter UpdateItem) per request. */
  refillsPerRequest?: number;
  rcu?: number;
  wcu?: number;
  /** c=1 only: p50 of the latency spent outside DynamoDB calls (HTTP, handler, SDK, service code). */
  outsideStorageP50?: number;
  /** c=1 only: the floor of this case. */
  floor?: { calls: string; p50: number; p95: number; samples: number; errors: number; ratio: number };
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

    const report = buildReport(results, cold, (performance.now() - t0) / 1000);
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

// ------------------------------------------------------------------ report

interface ColdStarts {
  hello: ColdStartResult;
  helloNodeHttp: ColdStartResult;
  sdkBaseline: ColdStartResult;
  sdkKnownContact: ColdStartResult;
  functions: ColdStartResult[];
  proposals: ColdStartResult[];
}

function buildReport(results: BatchResult[], cold: ColdStarts, seconds: number) {
  const seq = (key: string) => results.find((r) => r.case === key && r.concurrency === 1)!;
  const title = (key: string) => CASES.find((c) => c.key === key)!.title;
  const f1 = (x: number | null | undefined, d = 1) => (x === null || x === undefined || !Number.isFinite(x) ? 'n/m' : x.toFixed(d));
  const verdict = (ok: boolean | null) => (ok === null ? 'not measured' : ok ? 'pass' : '**MISS**');

  // Budgets.
  const budgets: Array<{ budget: string; measured: string; pass: boolean | null }> = [];
  for (const [key, limit] of Object.entries(BUDGET.roundTrips)) {
    const r = seq(key);
    const measured =
      r.roundTrips === null
        ? 'not measured (--url)'
        : `${r.roundTripsMaxWithoutRefill} per request (mean ${r.roundTrips.toFixed(2)} incl. ${f1(r.refillsPerRequest, 2)} id-block refills)`;
    budgets.push({ budget: `Round trips, ${title(key)} ≤ ${limit}`, measured, pass: r.roundTrips === null ? null : r.roundTripsMaxWithoutRefill! <= limit });
  }
  for (const spec of CASES) {
    const r = seq(spec.key);
    budgets.push({
      budget: `p50 at concurrency 1 ≤ ${BUDGET.floorRatio}× floor, ${spec.title}`,
      measured: r.floor ? `${f1(r.p50)} ms vs floor ${f1(r.floor.p50)} ms = ${r.floor.ratio.toFixed(2)}×` : 'not measured (--url)',
      pass: r.floor ? r.floor.ratio <= BUDGET.floorRatio : null,
    });
  }
  for (const f of cold.functions) {
    budgets.push({ budget: `Bundle ${f.name} ≤ ${BUDGET.bundleBytes / 1024} KB minified`, measured: `${(f.bytes / 1024).toFixed(1)} KB`, pass: f.bytes <= BUDGET.bundleBytes });
  }
  for (const f of cold.functions) {
    const ratio = f.startToAnswerMs / cold.hello.startToAnswerMs;
    budgets.push({
      budget: `Cold start ${f.name} ≤ ${BUDGET.coldStartVsHello}× hello-world`,
      measured: `${f1(f.startToAnswerMs)} ms vs ${f1(cold.hello.startToAnswerMs)} ms = ${ratio.toFixed(2)}×`,
      pass: ratio <= BUDGET.coldStartVsHello,
    });
  }
  for (const f of cold.functions) {
    const ratio = f.startToAnswerMs / cold.sdkBaseline.startToAnswerMs;
    budgets.push({
      budget: `Cold start ${f.name} ≤ ${BUDGET.coldStartVsSdk}× SDK baseline`,
      measured: `${f1(f.startToAnswerMs)} ms vs ${f1(cold.sdkBaseline.startToAnswerMs)} ms = ${ratio.toFixed(2)}×`,
      pass: ratio <= BUDGET.coldStartVsSdk,
    });
  }

  // Cost.
  const costLines: CostLine[] = (Object.entries(MIX) as Array<[string, number]>).map(([key, share]) => {
    const r = seq(key);
    return costPerMillion(key, share, { durationMs: r.p50, rcu: r.rcu ?? Number.NaN, wcu: r.wcu ?? Number.NaN });
  });
  const weighted = (pick: (l: CostLine) => number) => costLines.reduce((sum, l) => sum + l.share * pick(l), 0);
  const big = seq('bigMerge');
  const bigCost = costPerMillion('bigMerge', 0, { durationMs: big.p50, rcu: big.rcu ?? Number.NaN, wcu: big.wcu ?? Number.NaN });

  const usd = (x: number) => (Number.isFinite(x) ? `$${x.toFixed(2)}` : 'n/m');
  const lines: string[] = [];
  lines.push('<!-- Generated by `npm run bench` (scripts/bench.ts); do not edit by hand. -->');
  lines.push('');
  lines.push(
    `Run ${new Date().toISOString()} · ${QUICK ? '`--quick`' : 'full'} · ${URL_ARG ? `API at ${URL_ARG}` : 'local HTTP API in the bench process'} · ` +
      `DynamoDB Local (in memory) · node ${process.version} · ${cpus().length} × ${cpus()[0]?.model ?? 'CPU'} · ${seconds.toFixed(0)} s`,
  );
  lines.push('');
  lines.push('#### Latency, throughput, round trips, capacity');
  lines.push('');
  lines.push('| case | concurrency | requests | p50 ms | p95 ms | p99 ms | req/s | DynamoDB round trips / request | RCU / request | WCU / request | bad answers |');
  lines.push('| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: |');
  for (const r of results) {
    const ops = r.roundTripsByOperation
      ? ` (${Object.entries(r.roundTripsByOperation).map(([op, c]) => `${op} ${c}`).join(', ')})`
      : '';
    lines.push(
      `| ${title(r.case)} | ${r.concurrency} | ${r.requests} | ${f1(r.p50)} | ${f1(r.p95)} | ${f1(r.p99)} | ${f1(r.throughput, 0)} | ` +
        `${r.roundTrips === null ? 'n/m' : r.roundTrips.toFixed(2)}${ops} | ${r.concurrency === 1 ? f1(r.rcu, 2) : ''} | ${r.concurrency === 1 ? f1(r.wcu, 2) : ''} | ${r.errors} |`,
    );
  }
  lines.push('');
  lines.push(
    'Concurrency = requests in flight at once (at most the number of requests). ' +
      (URL_ARG
        ? 'Throughput = requests / wall time.'
        : 'Throughput = requests / wall time; at concurrency 1, 1000 / mean latency (the run pauses between requests to size items and replay the floor). ' +
          'Round trips and capacity units per request: at concurrency 1 counted per request; above, total / requests. Capacity units: computed, not reported by DynamoDB Local.'),
  );
  lines.push('');
  lines.push('#### Budgets');
  lines.push('');
  lines.push('| budget | measured | verdict |');
  lines.push('| --- | --- | --- |');
  for (const b of budgets) lines.push(`| ${b.budget} | ${b.measured} | ${verdict(b.pass)} |`);
  lines.push('');
  lines.push('#### Storage floor (concurrency 1)');
  lines.push('');
  lines.push('| case | minimal DynamoDB calls (replayed raw) | floor p50 ms | floor p95 ms | case p50 ms | case / floor | case p50 outside DynamoDB calls ms |');
  lines.push('| --- | --- | ---: | ---: | ---: | ---: | ---: |');
  for (const spec of CASES) {
    const r = seq(spec.key);
    lines.push(
      `| ${spec.title} | ${r.floor?.calls ?? 'n/m'} | ${f1(r.floor?.p50)} | ${f1(r.floor?.p95)} | ${f1(r.p50)} | ${r.floor ? `${r.floor.ratio.toFixed(2)}×` : 'n/m'} | ${f1(r.outsideStorageP50)} |`,
    );
  }
  lines.push('');
  lines.push('#### Cold start (fresh node process: start → import bundle → first answer; median)');
  lines.push('');
  lines.push(
    `Bundled as infra/function.ts bundles (esbuild, ESM, minified, node24, AWS SDK bundled, external: ${cold.hello.external.length ? cold.hello.external.join(', ') : 'none'}); ` +
      'no NODE_OPTIONS, as in the stack: stacks are source-mapped lazily, when an error is logged (lib/powertools/source-mapped-stack.ts), ' +
      'and the row "identify (with --enable-source-maps)" shows what Node\'s own mapping would cost at import; ' +
      'the identify event is a known contact in the benchmark\'s DynamoDB Local. ' +
      '`helloNodeHttp` is hello-world importing node:http through Node\'s ESM facade, bundled without lib/bundling.ts\'s alias (what every middy function paid before lib/node-http.ts, since @middy/util imports it); `sdkBaseline` only creates a DynamoDB document client and answers one BatchGetItem (the budget\'s baseline); ' +
      '`sdkKnownContact` does the storage work of identify\'s measured answer, the claims\' BatchGetItem and then the primary\'s (identify\'s like-for-like baseline: what identify adds over it is its own code).',
  );
  lines.push('');
  lines.push('| bundle | minified size | largest parts | start → first answer ms | of which import ms | first answer ms | vs hello-world | vs SDK baseline | vs sdkKnownContact |');
  lines.push('| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const f of [cold.hello, cold.helloNodeHttp, cold.sdkBaseline, cold.sdkKnownContact, ...cold.functions, ...cold.proposals]) {
    const parts = f.topInputs.slice(0, 4).map((p) => `${p.source} ${(p.bytes / 1024).toFixed(0)} KB`).join(', ');
    lines.push(
      `| ${f.name} | ${(f.bytes / 1024).toFixed(1)} KB | ${parts} | ${f1(f.startToAnswerMs)} | ${f1(f.importMs)} | ${f1(f.firstAnswerMs)} | ` +
        `${(f.startToAnswerMs / cold.hello.startToAnswerMs).toFixed(2)}× | ${(f.startToAnswerMs / cold.sdkBaseline.startToAnswerMs).toFixed(2)}× | ` +
        `${(f.startToAnswerMs / cold.sdkKnownContact.startToAnswerMs).toFixed(2)}× |`,
    );
  }
  lines.push('');
  lines.push('#### Cost model: USD per million POST /identify calls');
  lines.push('');
  lines.push(
    `Inputs: mix ${Object.entries(MIX).map(([k, s]) => `${(s * 100).toFixed(0)}% ${title(k)}`).join(', ')}; ` +
      `Lambda arm64 ${LAMBDA_MEMORY_MB} MB (infra/function.ts), $${PRICES.lambdaArmGbSecond} per GB-s, $${(PRICES.lambdaRequest * 1e6).toFixed(2)} per million requests, ` +
      `duration = the case's p50 at concurrency 1 above, rounded up to the ms; DynamoDB on-demand $${(PRICES.dynamoReadRequestUnit * 1e6).toFixed(3)} per million RRU and ` +
      `$${(PRICES.dynamoWriteRequestUnit * 1e6).toFixed(3)} per million WRU, units as computed above; HTTP API $${(PRICES.httpApiRequest * 1e6).toFixed(2)} per million requests; ` +
      `${PRICES.region} list prices; no free tier, storage, logs or data transfer.`,
  );
  lines.push('');
  lines.push('| case | share | duration ms | RRU | WRU | Lambda | DynamoDB | HTTP API | total per million of this case |');
  lines.push('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const l of [...costLines, bigCost]) {
    lines.push(
      `| ${title(l.case)} | ${l.share ? `${(l.share * 100).toFixed(0)}%` : '(not in mix)'} | ${f1(l.durationMs)} | ${f1(l.rcu, 2)} | ${f1(l.wcu, 2)} | ${usd(l.lambda)} | ${usd(l.dynamo)} | ${usd(l.api)} | ${usd(l.total)} |`,
    );
  }
  lines.push(
    `| **mix** | 100% | ${f1(weighted((l) => l.durationMs))} | ${f1(weighted((l) => l.rcu), 2)} | ${f1(weighted((l) => l.wcu), 2)} | ${usd(weighted((l) => l.lambda))} | ${usd(weighted((l) => l.dynamo))} | ${usd(weighted((l) => l.api))} | **${usd(weighted((l) => l.total))}** |`,
  );
  lines.push('');

  const json = {
    generatedAt: new Date().toISOString(),
    mode: QUICK ? 'quick' : 'full',
    target: URL_ARG ?? 'in-process local HTTP API',
    node: process.version,
    cpus: cpus().length,
    seconds: round(seconds, 1),
    budgets: { ...BUDGET, results: budgets },
    results: results.map((r) => ({
      ...r,
      p50: round(r.p50),
      p95: round(r.p95),
      p99: round(r.p99),
      throughput: round(r.throughput, 1),
      roundTrips: r.roundTrips === null ? null : round(r.roundTrips, 3),
      rcu: r.rcu === undefined ? undefined : round(r.rcu, 3),
      wcu: r.wcu === undefined ? undefined : round(r.wcu, 3),
    })),
    coldStart: cold,
    cost: {
      prices: PRICES,
      lambdaMemoryMb: LAMBDA_MEMORY_MB,
      mix: MIX,
      perCase: [...costLines, bigCost],
      mixPerMillion: round(weighted((l) => l.total), 4),
    },
    method: {
      roundTrips: 'HTTP requests sent by the service DynamoDB client, counted by an SDK middleware in the finalizeRequest step (retries count); c=1 per request, c>1 total / requests',
      capacity: 'documented formulas (scripts/bench/capacity.ts) over the request payloads and the sizes of the items read and written',
      floor: 'minimal calls built from the requests the service sent, replayed raw against a copy of the data in the same DynamoDB Local (scripts/bench/floor.ts)',
      coldStart: 'esbuild bundle as infra/function.ts builds it; fresh node process, time from process start to first answer, median',
    },
  };
  return { markdown: `${lines.join('\n')}\n`, json };
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`bench failed: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  },
);
