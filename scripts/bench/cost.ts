/**
 * Cost model: estimated USD per million POST /identify calls for a stated mix of cases, from the
 * measured capacity units and durations and AWS's published on-demand prices.
 */

/** Published prices, us-east-1 (AWS pricing pages for Lambda, DynamoDB on-demand, API Gateway). */
export const PRICES = {
  region: 'us-east-1',
  /** Lambda, arm64: USD per GB-second (first pricing tier). */
  lambdaArmGbSecond: 0.0000133334,
  /** Lambda: USD per request. */
  lambdaRequest: 0.2 / 1e6,
  /** DynamoDB on-demand, Standard table class: USD per write request unit. */
  dynamoWriteRequestUnit: 0.625 / 1e6,
  /** DynamoDB on-demand, Standard table class: USD per read request unit. */
  dynamoReadRequestUnit: 0.125 / 1e6,
  /** API Gateway HTTP API: USD per request (first 300 million a month, each up to 512 KB). */
  httpApiRequest: 1.0 / 1e6,
} as const;

/** infra/function.ts: memorySize default. */
export const LAMBDA_MEMORY_MB = 1024;

export const MIX = {
  known: 0.7,
  newPrimary: 0.2,
  newSecondary: 0.09,
  smallMerge: 0.01,
} as const;

export interface CaseCostInput {
  /** Billed Lambda duration of one call, ms (before rounding up to the ms). */
  durationMs: number;
  rcu: number;
  wcu: number;
}

export interface CostLine {
  case: string;
  share: number;
  durationMs: number;
  rcu: number;
  wcu: number;
  /** USD per million calls of this case alone. */
  lambda: number;
  dynamo: number;
  api: number;
  total: number;
}

export function costPerMillion(caseName: string, share: number, input: CaseCostInput): CostLine {
  const billedSeconds = Math.ceil(input.durationMs) / 1000;
  const lambda = 1e6 * (PRICES.lambdaRequest + (LAMBDA_MEMORY_MB / 1024) * billedSeconds * PRICES.lambdaArmGbSecond);
  const dynamo = 1e6 * (input.rcu * PRICES.dynamoReadRequestUnit + input.wcu * PRICES.dynamoWriteRequestUnit);
  const api = 1e6 * PRICES.httpApiRequest;
  return { case: caseName, share, durationMs: input.durationMs, rcu: input.rcu, wcu: input.wcu, lambda, dynamo, api, total: lambda + dynamo + api };
}
