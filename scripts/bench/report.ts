/**
 * The benchmark's report (scripts/bench.ts measures, this writes): the budgets and their
 * verdicts, bench/results.md and the data of bench/results.json.
 */
import { cpus } from 'node:os';
import type { measureColdStarts } from './cold-start';
import { costPerMillion, LAMBDA_MEMORY_MB, MIX, PRICES, type CostLine } from './cost';

export const CONCURRENCY = [1, 8, 32] as const;
export type Concurrency = (typeof CONCURRENCY)[number];

export const BUDGET = {
  roundTrips: { known: 2, newPrimary: 2, newSecondary: 3, smallMerge: 4 } as Record<string, number>,
  floorRatio: 1.5,
  bundleBytes: 300 * 1024,
  coldStartVsHello: 2,
  /** Import plus first answer against the bare-SDK baseline (issue 9: Powertools may add at most 15%). */
  coldStartVsSdk: 1.15,
};

export interface BatchResult {
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

const round = (x: number, digits = 2) => (Number.isFinite(x) ? Number(x.toFixed(digits)) : x);

export type ColdStarts = Awaited<ReturnType<typeof measureColdStarts>>;

/** What the run was: its mode, its target, and the cases in the order they ran. */
export interface RunInfo {
  quick: boolean;
  url: string | undefined;
  cases: ReadonlyArray<{ key: string; title: string }>;
}

/** The budgets' verdicts, bench/results.md (markdown) and bench/results.json (json). */
export function buildReport(results: BatchResult[], cold: ColdStarts, seconds: number, run: RunInfo) {
  const { quick: QUICK, url: URL_ARG, cases: CASES } = run;
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
  // Not a function: the same budget applied to the required stack alone, to show what is left of it.
  const floorRatio = cold.stackFloor.startToAnswerMs / cold.sdkBaseline.startToAnswerMs;
  budgets.push({
    budget: `(reference) Cold start stackFloor, the required stack without the service's code, ≤ ${BUDGET.coldStartVsSdk}× SDK baseline`,
    measured: `${f1(cold.stackFloor.startToAnswerMs)} ms vs ${f1(cold.sdkBaseline.startToAnswerMs)} ms = ${floorRatio.toFixed(2)}×`,
    pass: floorRatio <= BUDGET.coldStartVsSdk,
  });

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
      '`sdkKnownContact` does the storage work of identify\'s measured answer, the claims\' BatchGetItem and then the primary\'s; ' +
      '`stackFloor` does the same inside the stack every function must use (issue 9) and nothing of the service: middy with Powertools\' Logger and Metrics middlewares (ColdStart metric included), the JSON body parser, a zod/mini parse, one log line and one metric ' +
      '(identify\'s like-for-like baseline: what identify adds over it is its own code).',
  );
  lines.push('');
  lines.push('| bundle | minified size | largest parts | start → first answer ms | of which import ms | first answer ms | vs hello-world | vs SDK baseline | vs sdkKnownContact | vs stackFloor |');
  lines.push('| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const f of [cold.hello, cold.helloNodeHttp, cold.sdkBaseline, cold.sdkKnownContact, cold.stackFloor, ...cold.functions, ...cold.proposals]) {
    const parts = f.topInputs.slice(0, 4).map((p) => `${p.source} ${(p.bytes / 1024).toFixed(0)} KB`).join(', ');
    lines.push(
      `| ${f.name} | ${(f.bytes / 1024).toFixed(1)} KB | ${parts} | ${f1(f.startToAnswerMs)} | ${f1(f.importMs)} | ${f1(f.firstAnswerMs)} | ` +
        `${(f.startToAnswerMs / cold.hello.startToAnswerMs).toFixed(2)}× | ${(f.startToAnswerMs / cold.sdkBaseline.startToAnswerMs).toFixed(2)}× | ` +
        `${(f.startToAnswerMs / cold.sdkKnownContact.startToAnswerMs).toFixed(2)}× | ${(f.startToAnswerMs / cold.stackFloor.startToAnswerMs).toFixed(2)}× |`,
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
