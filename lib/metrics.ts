/**
 * Round-trip counting for a DynamoDB client: an SDK middleware that counts every HTTP request the
 * client actually sends, per command. It sits in the `finalizeRequest` step below the SDK's retry
 * middleware, so each transport retry counts as one more round trip, and a fault injected before
 * sending (lib/faults.ts) counts as none. Nothing here runs unless a tool attaches it: the
 * benchmark (scripts/bench.ts) and the round-trip test do; the Lambda path never does.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/** One request sent to DynamoDB, as an observer sees it. */
export interface SentRequest {
  /** Operation name without the "Command" suffix: "BatchGetItem", "TransactWriteItems", ... */
  operation: string;
  /** The JSON body sent (marshalled request input). */
  body: string;
  /** The parsed output, when the request succeeded (lib-dynamodb commands: already unmarshalled). */
  output?: unknown;
  /** The error, when it failed. */
  error?: unknown;
  /** performance.now() when the request was handed to the transport, and when its answer was parsed. */
  startedAt: number;
  endedAt: number;
}

type Stack = DynamoDBClient['middlewareStack'];

export class RoundTripCounter {
  private readonly counts = new Map<string, number>();

  /**
   * Optional observer of every request sent (the benchmark sizes items from it to compute
   * capacity units). Unset, the middleware only increments a counter.
   */
  observer: ((sent: SentRequest) => void) | undefined;

  /** Adds the counting middleware to a client (a low-level or a document client). */
  attach(client: DynamoDBClient | DynamoDBDocumentClient): this {
    (client.middlewareStack as Stack).add(
      (next, context) => async (args) => {
        const operation = (context.commandName ?? 'Unknown').replace(/Command$/, '');
        this.counts.set(operation, (this.counts.get(operation) ?? 0) + 1);
        const observer = this.observer;
        if (!observer) return next(args);
        const body = bodyText((args.request as { body?: unknown }).body);
        const startedAt = performance.now();
        try {
          const result = await next(args);
          observer({ operation, body, output: result.output, startedAt, endedAt: performance.now() });
          return result;
        } catch (error) {
          observer({ operation, body, error, startedAt, endedAt: performance.now() });
          throw error;
        }
      },
      { step: 'finalizeRequest', priority: 'low', name: 'roundTripCounter' },
    );
    return this;
  }

  /** Requests sent since the last reset, all operations. */
  get total(): number {
    let sum = 0;
    for (const n of this.counts.values()) sum += n;
    return sum;
  }

  /** Requests sent since the last reset, per operation. */
  byOperation(): Record<string, number> {
    return Object.fromEntries([...this.counts].sort(([a], [b]) => a.localeCompare(b)));
  }

  reset(): void {
    this.counts.clear();
  }
}

const decoder = new TextDecoder();

function bodyText(body: unknown): string {
  if (body === undefined || body === null) return '';
  if (typeof body === 'string') return body;
  if (body instanceof Uint8Array) return decoder.decode(body);
  return String(body);
}
